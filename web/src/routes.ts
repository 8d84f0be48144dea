// Every screen of the app: its path, who may open it, its navigation label, and how its code is
// loaded. A new screen is one entry here and a component under screens/<role>/; the shell builds
// the navigation of each role from this table. Screens behind sign-in are loaded on demand (their
// own chunks), so the public page ships only what it needs.
import type { ComponentType } from 'preact';
import type { Role } from './api/types';

export interface ScreenRoute {
  path: string;
  title: string;
  roles: Role[];
  /** Label in the role's navigation; absent: not in the navigation. */
  nav?: string;
  /** Also every path below this one (`/portal/questionnaire/phq9`): the screen reads the rest. */
  prefix?: boolean;
  load: () => Promise<{ default: ComponentType }>;
}

export const ROLE_LABEL: Record<Role, string> = {
  front_desk: 'Front desk',
  nurse: 'Nurse',
  physician: 'Physician',
  admin: 'Administrator',
  patient: 'Patient',
  director: 'Director',
};

// One row per screen: path, title, roles, navigation label (null: not in the navigation), code.
type Row = [path: string, title: string, roles: Role[], nav: string | null, load: ScreenRoute['load']];

const ROWS: Row[] = [
  ['/desk', 'Front desk: today', ['front_desk', 'admin'], 'Today', () => import('./screens/front_desk/DeskHome')],
  // Front desk (screens/front_desk): the inquiry queue, registration, patients and booking, the board.
  ['/desk/inquiries', 'Inquiries', ['front_desk'], 'Inquiries', () => import('./screens/front_desk/Inquiries')],
  ['/desk/patients', 'Patients', ['front_desk'], 'Patients', () => import('./screens/front_desk/Patients')],
  ['/desk/board', 'Chair board', ['front_desk'], 'Chair board', () => import('./screens/front_desk/DeskBoard')],
  ['/desk/register', 'Register a patient', ['front_desk', 'admin', 'physician'], null, () => import('./screens/front_desk/RegisterPatient')],
  ['/desk/patient', 'Patient: appointments', ['front_desk', 'admin'], null, () => import('./screens/front_desk/PatientDesk')],
  ['/chairs', "Today's chairs", ['nurse', 'physician'], 'Chairs today', () => import('./screens/nurse/ChairBoard')],
  ['/alerts', 'Alert inbox', ['physician', 'nurse'], 'Alerts', () => import('./screens/physician/AlertInbox')],
  ['/intake', 'Intake approvals', ['physician'], 'Intake', () => import('./screens/physician/IntakeApprovals')],
  ['/patients', 'Patients', ['physician'], 'Patients', () => import('./screens/physician/PatientList')],
  ['/patients/chart', 'Patient chart', ['physician'], null, () => import('./screens/physician/PatientChart')],
  ['/pk', 'PK what-if', ['physician'], 'PK what-if', () => import('./screens/physician/PkWhatIf')],
  ['/admin/staff', 'Staff accounts', ['admin'], 'Staff', () => import('./screens/admin/StaffList')],
  // Administration (screens/admin): accounts, clinics and chairs, staff availability, the audit log.
  ['/admin/accounts', 'Accounts', ['admin'], 'Accounts', () => import('./screens/admin/Accounts')],
  ['/admin/clinics', 'Clinics and chairs', ['admin'], 'Clinics', () => import('./screens/admin/Clinics')],
  ['/admin/availability', 'Staff availability', ['admin'], 'Availability', () => import('./screens/admin/Availability')],
  // The reminders' outbox and delivery log (screens/admin/Outbox.tsx, docs/reminders.md).
  ['/reminders', 'Reminders outbox', ['admin', 'front_desk'], 'Reminders', () => import('./screens/admin/Outbox')],
  ['/admin/audit', 'Audit log', ['admin'], 'Audit log', () => import('./screens/admin/Audit')],
  // The patient portal (screens/portal, docs/web-portal.md): phone first, English and Spanish.
  ['/portal', 'My portal', ['patient'], 'My portal', () => import('./screens/portal/PortalHome')],
  ['/portal/questionnaire', 'Questionnaire', ['patient'], null, () => import('./screens/portal/Questionnaire')],
  ['/me', 'My treatment', ['patient'], 'My treatment', () => import('./screens/patient/PatientHome')],
  ['/chair', 'Infusions today', ['nurse', 'physician'], 'Infusions', () => import('./screens/chair/ChairToday')],
  ['/chair/session', 'Infusion at the chair', ['nurse', 'physician'], null, () => import('./screens/chair/SessionScreen')],
  // Before treatment (screens/clinical): weight and height, screening, consent, course, day-of check.
  ['/prepare', 'Before treatment', ['nurse', 'physician'], 'Before treatment', () => import('./screens/clinical/BeforeTreatment')],
  // The clinic's outcomes (screens/director): aggregates only, for the director, physicians and
  // the administrator (docs/web-director.md).
  ['/outcomes', 'Clinic outcomes', ['director', 'physician', 'admin'], 'Outcomes', () => import('./screens/director/Outcomes')],
  // ED procedural sedation (screens/ed): no clinic course or appointment needed.
  ['/ed', 'ED procedural sedation', ['physician', 'nurse'], 'ED sedation', () => import('./screens/ed/EdHome')],
  ['/ed/episode', 'ED sedation record', ['physician', 'nurse'], null, () => import('./screens/ed/EdEpisode')],
];

// Screens that also answer every path below their own (the screen reads the rest).
const PREFIX = new Set(['/portal/questionnaire']);

export const SCREENS: ScreenRoute[] = ROWS.map(([path, title, roles, nav, load]) => ({
  path,
  title,
  roles,
  ...(nav === null ? {} : { nav }),
  ...(PREFIX.has(path) ? { prefix: true } : {}),
  load,
}));

/** Where each role lands after sign-in. */
export const HOME: Record<Role, string> = {
  front_desk: '/desk',
  nurse: '/chairs',
  physician: '/alerts',
  admin: '/admin/staff',
  patient: '/portal',
  director: '/outcomes',
};

export function screenFor(path: string): ScreenRoute | undefined {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return SCREENS.find((s) => s.path === clean) ?? SCREENS.find((s) => s.prefix && clean.startsWith(s.path + '/'));
}

export function navFor(role: Role): ScreenRoute[] {
  return SCREENS.filter((s) => s.nav && s.roles.includes(role));
}

/** Where to go after sign-in (`?next=`): only a path of this app, never another site
 * ("//evil.example", "/\\evil.example", "https://..."), never sign-in itself. */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next.startsWith('/signin')) return null;
  return next;
}
