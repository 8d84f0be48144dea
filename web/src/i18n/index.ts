// The portal's ONE message catalogue (docs/web-portal.md): every string the patient portal and
// the invitation page show comes from a catalogue file here (en.json, es.json), looked up by key;
// another language is one more file with the same keys (catalogue.test.ts fails on a missing or
// extra key, or a placeholder that differs). Questionnaire wording is not here: it is the
// instruments' published text, served by GET /api/v1/questionnaires/{instrument}.
import { useEffect, useState } from 'preact/hooks';
import en from './en.json';
import es from './es.json';

export type Language = 'en' | 'es';
export type MessageKey = keyof typeof en;
export const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, es };
export const LANGUAGES: Language[] = ['en', 'es'];

let current: Language = 'en';
const listeners = new Set<() => void>();

export function language(): Language {
  return current;
}

export function setLanguage(l: Language) {
  if (l === current) return;
  current = l;
  document.documentElement.lang = l;
  listeners.forEach((f) => f());
}

export function isLanguage(v: unknown): v is Language {
  return v === 'en' || v === 'es';
}

/** The message in the current language, with {placeholders} filled in. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}, lang: Language = current): string {
  const text = CATALOGUES[lang][key] ?? CATALOGUES.en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Re-renders the component when the language changes; returns the current one. */
export function useLanguage(): Language {
  const [, tick] = useState(0);
  useEffect(() => {
    const f = () => tick((n) => n + 1);
    listeners.add(f);
    return () => {
      listeners.delete(f);
    };
  }, []);
  return current;
}
