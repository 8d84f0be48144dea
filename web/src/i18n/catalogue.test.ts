// Every catalogue has exactly the English keys, non-empty, with the same {placeholders}: a
// message missing from one language fails here, not on a patient's screen.
import { describe, expect, it } from 'vitest';
import { CATALOGUES, LANGUAGES, t } from './index';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  const en = CATALOGUES.en;
  for (const lang of LANGUAGES) {
    it(`${lang} has every key of en and no other`, () => {
      expect(Object.keys(CATALOGUES[lang]).sort()).toEqual(Object.keys(en).sort());
    });
    it(`${lang} messages are non-empty and keep the placeholders`, () => {
      for (const [key, text] of Object.entries(CATALOGUES[lang])) {
        expect(text.trim(), key).not.toBe('');
        expect(placeholders(text), key).toEqual(placeholders(en[key as keyof typeof en]));
      }
    });
  }
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('q.progress', { n: 3, total: 9 }, 'es')).toBe('Pregunta 3 de 9');
    expect(t('portal.hello', {}, 'en')).toBe('Hello, {name}');
  });
});
