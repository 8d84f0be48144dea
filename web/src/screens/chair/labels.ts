// Words for the server's codes on the chair side (gates, pump events, vital points, actions,
// alert priorities). Pure, no clinical numbers: every number comes from the server.

export const GATE_LABEL: Record<string, string> = {
  patient_approved: 'Patient approved for treatment',
  treatment_consent: 'Treatment consent on file',
  screening_eligible: 'Screening eligible and current',
  course_under_way: 'Course under way',
  course_protocol: "Protocol is the course's",
  unscheduled_reason: 'Reason for an unscheduled session',
  appointment_today: 'Appointment booked for today',
  one_session_per_appointment: 'One session per appointment',
  one_active_session: 'No other infusion running',
  day_of_check: 'Day-of check cleared',
  observation_time: 'Observation time since the stop',
  critical_alerts: 'No unacknowledged critical alert',
  discharge_score: 'Discharge score ready',
};

export const gateLabel = (g: string) => GATE_LABEL[g] ?? g.replace(/_/g, ' ');

export const EVENT_LABEL: Record<string, string> = {
  start: 'Start',
  pause: 'Pause',
  resume: 'Resume',
  rate_change: 'Rate change',
  stop: 'Stop',
};

export const POINT_LABEL: Record<string, string> = {
  baseline: 'Baseline (before start)',
  interval: 'During the infusion',
  end_of_infusion: 'End of infusion',
  recovery: 'Recovery',
  discharge: 'Discharge',
};

export const ACTION_LABEL: Record<string, string> = {
  continue: 'Continue at the current rate',
  slow: 'Slow the infusion (per protocol)',
  pause: 'Pause the pump and recheck',
  stop: "Stop today's infusion",
  call_physician: 'Stop the infusion and call the physician now',
};

export const STATE_LABEL: Record<string, string> = {
  planned: 'Planned',
  running: 'Running',
  paused: 'Paused',
  stopped: 'Stopped',
  discharged: 'Discharged',
  voided: 'Voided',
};

/** IEC 60601-1-8 alarm priorities for the server's severities: colour AND symbol AND text. */
export interface Priority {
  level: 'high' | 'medium' | 'low';
  label: string;
  symbol: string;
}

export function priorityOf(severity: string): Priority {
  if (severity === 'critical') return { level: 'high', label: 'High priority', symbol: '!!!' };
  if (severity === 'high') return { level: 'medium', label: 'Medium priority', symbol: '!!' };
  return { level: 'low', label: 'Low priority', symbol: '!' };
}

export const ADVERSE_KINDS = [
  'hypertension',
  'hypotension',
  'tachycardia',
  'bradycardia',
  'desaturation',
  'respiratory_depression',
  'nausea',
  'vomiting',
  'emergence_reaction',
  'excessive_dissociation',
  'headache',
  'dizziness',
  'anxiety',
  'allergic_reaction',
  'laryngospasm',
  'hypoxia',
  'other',
];

export const words = (code: string) => code.replace(/_/g, ' ');
