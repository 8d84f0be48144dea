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
  {
    path: '/chairs',
    title: "Today's chairs",
    roles: ['nurse', 'physician', 'front_desk'],
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
    path: '/admin/staff',
    title: 'Staff accounts',
    roles: ['admin'],
    nav: 'Staff',
    load: () => import('./screens/admin/StaffList'),
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
