// Words for the server's codes on the ED sedation screens (gates, states, adverse events,
// interventions, limit statuses). No clinical numbers: every number comes from the server.
import { gateLabel as chairGateLabel } from '../chair/labels';

export const ED_GATE_LABEL: Record<string, string> = {
  age_at_least_3_months: 'Age at least 3 months',
  no_absolute_contraindication: 'No absolute contraindication',
  relative_contraindications_reviewed: 'Relative contraindications reviewed by a physician',
  episode_accepts_doses: 'Episode accepts doses',
  ordered_by_physician: 'Ordered by a physician',
  dose_in_time_order: 'Dose in time order',
  repeat_interval: 'Repeat interval of the protocol',
  dose_hard_limits: 'Hard limits of the dose',
  dose_soft_limits: 'Soft limits of the dose',
  episode_cumulative_hard_limit: 'Running total within the hard limit',
  episode_recovering: 'Procedure ended',
  discharge_checklist: 'Discharge checklist met',
  observation_after_last_iv_dose: 'Observation after the last IV dose',
  interval_after_last_iv_dose: 'Interval after the last IV dose',
  interval_after_last_im_dose: 'Interval after the last IM dose',
  observation_after_adverse_event: 'Observation after an adverse event',
  after_reversal_agent: 'Time after a reversal agent',
  episode_voidable: 'No dose in force',
};

export const edGateLabel = (g: string) => ED_GATE_LABEL[g] ?? chairGateLabel(g);

export const STATE_LABEL: Record<string, string> = {
  open: 'Screened, no dose yet',
  sedated: 'Sedated',
  recovering: 'Recovering',
  discharged: 'Discharged',
  voided: 'Voided',
};

export const ROUTE_LABEL: Record<string, string> = { iv: 'IV push', im: 'IM' };

export const ADVERSE_KINDS: Array<{ value: string; label: string }> = [
  { value: 'laryngospasm', label: 'Laryngospasm' },
  { value: 'emesis', label: 'Emesis' },
  { value: 'emergence_reaction', label: 'Emergence reaction' },
  { value: 'hypoxia', label: 'Hypoxia' },
  { value: 'apnoea', label: 'Apnoea or respiratory depression' },
  { value: 'other', label: 'Other (describe)' },
];

export const SEVERITIES: Array<{ value: string; label: string }> = [
  { value: 'mild', label: 'Mild' },
  { value: 'moderate', label: 'Moderate' },
  { value: 'severe', label: 'Severe' },
  { value: 'life_threatening', label: 'Life-threatening' },
];

export const INTERVENTIONS: Array<{ value: string; label: string }> = [
  { value: 'airway_repositioning', label: 'Airway repositioning' },
  { value: 'suction', label: 'Suction' },
  { value: 'supplemental_oxygen', label: 'Supplemental oxygen' },
  { value: 'bag_mask_ventilation', label: 'Bag-mask ventilation' },
  { value: 'intubation', label: 'Intubation' },
  { value: 'medication', label: 'Medication' },
  { value: 'procedure_stopped', label: 'Procedure stopped' },
  { value: 'other', label: 'Other (describe)' },
];

export const labelOf = (list: Array<{ value: string; label: string }>, v: string) => list.find((x) => x.value === v)?.label ?? v.replace(/_/g, ' ');

export const LIMIT_LABEL: Record<string, string> = {
  within: 'Dose and running total within the protocol’s limits',
  soft_limit_overridden: 'Soft limit exceeded, overridden by a physician',
  soft_limit_exceeded: 'Above a soft limit: a physician must give a reason',
  hard_limit_exceeded: 'Above a hard limit: refused',
};
