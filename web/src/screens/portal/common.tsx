// Shared pieces of the patient portal: instrument names and score ranges, dates in the patient's
// language, the crisis guidance, the "not monitored around the clock" note, the language choice.
// Every string comes from the message catalogue (src/i18n).
import { LANGUAGES, t } from '../../i18n';
import type { Language } from '../../i18n';
import './portal.css';

/** Short names and total ranges (core/instruments/catalog.cpp); instruments not listed are not
 * offered in the portal. */
export const INSTRUMENTS: Record<string, { name: string; min: number; max: number }> = {
  phq9: { name: 'PHQ-9', min: 0, max: 27 },
  gad7: { name: 'GAD-7', min: 0, max: 21 },
  pcl5: { name: 'PCL-5', min: 0, max: 80 },
  nrs: { name: 'NRS', min: 0, max: 10 },
  bpi: { name: 'BPI', min: 0, max: 10 },
};

export const instrumentName = (id: string) => INSTRUMENTS[id]?.name ?? id.toUpperCase();

const LOCALE: Record<Language, string> = { en: 'en-US', es: 'es-US' };

export function when(iso: string, lang: Language, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function day(isoDate: string, lang: Language): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(isoDate + 'T12:00:00Z'));
}

/** Shown at once when PHQ-9 item 9 is answered above "not at all" (the server raises its alert
 * when the questionnaire is sent). 988: the US Suicide & Crisis Lifeline (FCC designation 2020,
 * live 16 July 2022; option 2 for Spanish): sources in docs/web-portal.md. */
export function CrisisGuidance({ phone }: { phone: string | null }) {
  return (
    <div class="portal-crisis" role="alert" aria-labelledby="crisis-title">
      <h2 id="crisis-title">{t('crisis.title')}</h2>
      <p>{t('crisis.body')}</p>
      <ul>
        <li>
          <strong>{t('crisis.call911')}</strong>
        </li>
        <li>{t('crisis.call988')}</li>
        {phone && <li>{t('crisis.clinic', { phone })}</li>}
      </ul>
      <p>{t('crisis.notMonitored')}</p>
    </div>
  );
}

export function NotMonitored() {
  return (
    <div class="portal-note">
      <p>{t('portal.notMonitored')}</p>
      <p>{t('portal.emergencyShort')}</p>
    </div>
  );
}

export function LanguageChoice({ value, onChange }: { value: Language; onChange: (l: Language) => void }) {
  return (
    <fieldset class="portal-lang">
      <legend>{t('portal.language')}</legend>
      {LANGUAGES.map((l) => (
        <label key={l} lang={l}>
          <input type="radio" name="portal-language" value={l} checked={value === l} onChange={() => onChange(l)} />{' '}
          {t(`lang.${l}`)}
        </label>
      ))}
    </fieldset>
  );
}
