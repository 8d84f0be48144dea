import { describe, expect, it } from 'vitest';
import type { Role } from './api/types';
import { HOME, SCREENS, navFor, safeNext, screenFor } from './routes';

const ROLES: Role[] = ['front_desk', 'nurse', 'physician', 'admin', 'patient', 'director'];

describe('the screen table', () => {
  it.each(ROLES)('%s lands on a screen it may open, listed in its navigation', (role) => {
    const home = screenFor(HOME[role]);
    expect(home?.roles).toContain(role);
    expect(navFor(role).map((s) => s.path)).toContain(HOME[role]);
  });

  it('gives the director the outcomes and no screen of patient records', () => {
    expect(navFor('director').map((s) => s.path)).toEqual(['/outcomes']);
    expect(SCREENS.filter((s) => s.roles.includes('director')).map((s) => s.path)).toEqual(['/outcomes']);
  });

  it('has one screen per path, and a trailing slash finds it', () => {
    expect(new Set(SCREENS.map((s) => s.path)).size).toBe(SCREENS.length);
    expect(screenFor('/desk/')?.path).toBe('/desk');
    expect(screenFor('/no-such-screen')).toBeUndefined();
  });
});

describe('safeNext', () => {
  it.each([
    ['/desk', '/desk'],
    ['/chairs?date=2026-11-26', '/chairs?date=2026-11-26'],
    [null, null],
    ['', null],
    ['desk', null],
    ['//evil.example/x', null],
    ['/\\evil.example', null],
    ['https://evil.example', null],
    ['/signin?next=/desk', null],
  ])('%s -> %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
