// PHQ-9 as printed on the paper form, for staff entering a completed sheet (the server scores it:
// core/instruments, docs/reference). Item and answer wording: LOINC panel 44249-1 and answer list
// LL358-3 (loinc.org), the public-domain PHQ-9 (Kroenke, Spitzer & Williams 2001).
export const PHQ9_QUESTION = 'Over the last 2 weeks, how often have you been bothered by any of the following problems?';

export const PHQ9_ITEMS: string[] = [
  'Little interest or pleasure in doing things',
  'Feeling down, depressed, or hopeless',
  'Trouble falling or staying asleep, or sleeping too much',
  'Feeling tired or having little energy',
  'Poor appetite or overeating',
  'Feeling bad about yourself - or that you are a failure or have let yourself or your family down',
  'Trouble concentrating on things, such as reading the newspaper or watching television',
  'Moving or speaking so slowly that other people could have noticed. Or the opposite - being so fidgety or restless that you have been moving around a lot more than usual',
  'Thoughts that you would be better off dead, or of hurting yourself in some way',
];

export const PHQ9_ANSWERS: Array<{ value: number; label: string }> = [
  { value: 0, label: 'Not at all' },
  { value: 1, label: 'Several days' },
  { value: 2, label: 'More than half the days' },
  { value: 3, label: 'Nearly every day' },
];
