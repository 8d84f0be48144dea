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
  load: () => Promise<{ default: ComponentType }>;
}

export const ROLE_LABEL: Record<Role, string> = {
  front_desk: 'Front desk',
  nurse: 'Nurse',
  physician: 'Physician',
  admin: 'Administrator',
  patient: 'Patient',
};

export const SCREENS: ScreenRoute[] = [
  {
    path: '/desk',
    title: 'Front desk: today',
    roles: ['front_desk', 'admin'],
    nav: 'Today',
    load: () => import('./screens/front_desk/DeskHome'),
  },
  // Front desk (screens/front_desk): the inquiry queue, registration, patients and booking, the board.
  {
    path: '/desk/inquiries',
    title: 'Inquiries',
    roles: ['front_desk'],
    nav: 'Inquiries',
    load: () => import('./screens/front_desk/Inquiries'),
  },
  {
    path: '/desk/patients',
    title: 'Patients',
    roles: ['front_desk'],
    nav: 'Patients',
    load: () => import('./screens/front_desk/Patients'),
  },
  {
    path: '/desk/board',
    title: 'Chair board',
    roles: ['front_desk'],
    nav: 'Chair board',
    load: () => import('./screens/front_desk/DeskBoard'),
  },
  {
    path: '/desk/register',
    title: 'Register a patient',
    roles: ['front_desk', 'admin', 'physician'],
    load: () => import('./screens/front_desk/RegisterPatient'),
  },
  {
    path: '/desk/patient',
    title: 'Patient: appointments',
    roles: ['front_desk', 'admin'],
    load: () => import('./screens/front_desk/PatientDesk'),
  },
  {
    path: '/chairs',
    title: "Today's chairs",
    roles: ['nurse', 'physician'],
    nav: 'Chairs today',
    load: () => import('./screens/nurse/ChairBoard'),
  },
  {
    path: '/alerts',
    title: 'Alert inbox',
    roles: ['physician', 'nurse'],
    nav: 'Alerts',
    load: () => import('./screens/physician/AlertInbox'),
  },
  {
    path: '/intake',
    title: 'Intake approvals',
    roles: ['physician'],
    nav: 'Intake',
    load: () => import('./screens/physician/IntakeApprovals'),
  },
  {
    path: '/patients',
    title: 'Patients',
    roles: ['physician'],
    nav: 'Patients',
    load: () => import('./screens/physician/PatientList'),
  },
  {
    path: '/patients/chart',
    title: 'Patient chart',
    roles: ['physician'],
    load: () => import('./screens/physician/PatientChart'),
  },
  {
    path: '/pk',
    title: 'PK what-if',
    roles: ['physician'],
    nav: 'PK what-if',
    load: () => import('./screens/physician/PkWhatIf'),
  },
  {
    path: '/admin/staff',
    title: 'Staff accounts',
    roles: ['admin'],
    nav: 'Staff',
    load: () => import('./screens/admin/StaffList'),
  },
  // Administration (screens/admin): accounts, clinics and chairs, staff availability, the audit log.
  {
    path: '/admin/accounts',
    title: 'Accounts',
    roles: ['admin'],
    nav: 'Accounts',
    load: () => import('./screens/admin/Accounts'),
  },
  {
    path: '/admin/clinics',
    title: 'Clinics and chairs',
    roles: ['admin'],
    nav: 'Clinics',
    load: () => import('./screens/admin/Clinics'),
  },
  {
    path: '/admin/availability',
    title: 'Staff availability',
    roles: ['admin'],
    nav: 'Availability',
    load: () => import('./screens/admin/Availability'),
  },
  {
    path: '/reminders',
    title: 'Reminders outbox',
    roles: ['admin', 'front_desk'],
    nav: 'Reminders',
    load: () => import('./screens/admin/Outbox'),
  },
  {
    path: '/admin/audit',
    title: 'Audit log',
    roles: ['admin'],
    nav: 'Audit log',
    load: () => import('./screens/admin/Audit'),
  },
  {
    path: '/me',
    title: 'My treatment',
    roles: ['patient'],
    nav: 'My treatment',
    load: () => import('./screens/patient/PatientHome'),
  },
  {
    path: '/chair',
    title: 'Infusions today',
    roles: ['nurse', 'physician'],
    nav: 'Infusions',
    load: () => import('./screens/chair/ChairToday'),
  },
  {
    path: '/chair/session',
    title: 'Infusion at the chair',
    roles: ['nurse', 'physician'],
    load: () => import('./screens/chair/SessionScreen'),
  },
  // Before treatment (screens/clinical): weight and height, screening, consent, course, day-of check.
  {
    path: '/prepare',
    title: 'Before treatment',
    roles: ['nurse', 'physician'],
    nav: 'Before treatment',
    load: () => import('./screens/clinical/BeforeTreatment'),
  },
  // ED procedural sedation (screens/ed): no clinic course or appointment needed.
  {
    path: '/ed',
    title: 'ED procedural sedation',
    roles: ['physician', 'nurse'],
    nav: 'ED sedation',
    load: () => import('./screens/ed/EdHome'),
  },
  {
    path: '/ed/episode',
    title: 'ED sedation record',
    roles: ['physician', 'nurse'],
    load: () => import('./screens/ed/EdEpisode'),
  },
];

/** Where each role lands after sign-in. */
export const HOME: Record<Role, string> = {
  front_desk: '/desk',
  nurse: '/chairs',
  physician: '/alerts',
  admin: '/admin/staff',
  patient: '/me',
};

export function screenFor(path: string): ScreenRoute | undefined {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return SCREENS.find((s) => s.path === clean);
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
