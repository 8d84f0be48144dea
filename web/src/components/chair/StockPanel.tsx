// Schedule III stock at the chair (docs/api-chair.md "Stock"): the draw for this session from an
// active ketamine lot, and the unused remainder wasted with a second clinician as witness (their
// staff number and password, verified by the server). Both go through the outbox like every
// other confirmed write.
import { useState } from 'preact/hooks';
import { activeLots, sessionMovements } from '../../api/sessions';
import { formatQuantity } from '../../format/quantity';
import { timeIn } from '../../format/time';
import { useResource } from '../useResource';
import { Section, errorText } from './common';
import type { ChairContext } from './common';

function parseMg(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}(\.\d{1,3})?$/.test(t)) return null;
  const v = Number(t);
  return v > 0 ? v : null;
}

export function StockPanel({ ctx }: { ctx: ChairContext }) {
  const s = ctx.session;
  const stock = useResource(
    async (signal) => {
      const lots = await activeLots(signal);
      return { lots, movements: await sessionMovements(s.id, lots, signal) };
    },
    [s.id, s.version],
  );
  const [lotId, setLotId] = useState('');
  const [drawMg, setDrawMg] = useState('');
  const [wasteMg, setWasteMg] = useState('');
  const [witness, setWitness] = useState('');
  const [witnessPassword, setWitnessPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const drawn = (stock.data?.movements ?? []).filter((m) => m.kind === 'draw');
  const canDraw = s.state !== 'discharged' && s.state !== 'voided' && s.state !== 'stopped';
  const canWaste = drawn.length > 0 && s.state !== 'voided';
  const usable = (stock.data?.lots ?? []).filter((l) => !l.expired && /ketamine/i.test(l.drug));
  const drawValue = parseMg(drawMg);
  const wasteValue = parseMg(wasteMg);

  async function draw(e: Event) {
    e.preventDefault();
    if (drawValue === null || (!lotId && drawn.length === 0)) {
      setError('Choose the lot and type the amount drawn in mg.');
      return;
    }
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = { session_id: s.id, mg: drawValue };
    if (lotId) body.lot_id = Number(lotId);
    try {
      await ctx.send(`Draw of ${formatQuantity(drawValue, 'mg')}`, { method: 'POST', path: '/stock/draws', body });
      setDrawMg('');
      stock.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function waste(e: Event) {
    e.preventDefault();
    const witnessId = /^\d+$/.test(witness.trim()) ? Number(witness.trim()) : null;
    if (wasteValue === null || witnessId === null || !witnessPassword) {
      setError('Type the amount wasted in mg, the witness’s staff number and their password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await ctx.send(`Waste of ${formatQuantity(wasteValue, 'mg')}`, {
        method: 'POST',
        path: '/stock/wastes',
        body: { session_id: s.id, mg: wasteValue, witness_user_id: witnessId, witness_password: witnessPassword },
      });
      setWasteMg('');
      setWitnessPassword('');
      stock.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section id="stock-title" title="Drug drawn and wasted">
      {stock.data && stock.data.movements.length > 0 ? (
        <ul class="entry-list">
          {stock.data.movements.map((m) => (
            <li key={m.id}>
              {timeIn(ctx.tz, m.at)} {m.kind} <span class="nowrap">{formatQuantity(m.mg, 'mg')}</span> (<span class="nowrap">{formatQuantity(m.ml, 'mL')}</span>) from lot {m.lot.lot_number}
              {m.witness_user_id ? `, witnessed by staff ${m.witness_user_id}` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Nothing drawn for this infusion yet.</p>
      )}
      {canDraw && (
        <form onSubmit={draw} noValidate class="entry-form">
          {drawn.length === 0 && (
            <div class="field">
              <label for="stock-lot">Lot</label>
              <select id="stock-lot" class="input input-medium" value={lotId} onChange={(e) => setLotId((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">Choose…</option>
                {usable.map((l) => (
                  <option key={l.id} value={String(l.id)}>
                    {l.lot_number}: {l.drug} {formatQuantity(l.concentration_mg_per_ml, 'mg/mL')}, {formatQuantity(l.balance_mg, 'mg')} left, expires {l.expiry_date}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div class="field">
            <label for="stock-draw">Drawn (mg)</label>
            <input id="stock-draw" class="input input-vital" inputMode="decimal" autocomplete="off" value={drawMg} aria-describedby="stock-draw-echo" onInput={(e) => setDrawMg((e.currentTarget as HTMLInputElement).value)} />
            <span class="echo" id="stock-draw-echo">
              {drawMg ? (drawValue === null ? 'not an amount' : `You typed ${formatQuantity(drawValue, 'mg')}`) : ''}
            </span>
          </div>
          <button type="submit" class="button button-secondary" disabled={busy}>
            Record the draw
          </button>
        </form>
      )}
      {canWaste && (
        <form onSubmit={waste} noValidate class="entry-form">
          <div class="vitals-grid">
            <div class="field">
              <label for="stock-waste">Wasted (mg)</label>
              <input id="stock-waste" class="input input-vital" inputMode="decimal" autocomplete="off" value={wasteMg} onInput={(e) => setWasteMg((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="stock-witness">Witness staff number</label>
              <input id="stock-witness" class="input input-vital" inputMode="numeric" autocomplete="off" value={witness} onInput={(e) => setWitness((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="stock-witness-password">Witness password</label>
              <input id="stock-witness-password" class="input" type="password" autocomplete="off" value={witnessPassword} onInput={(e) => setWitnessPassword((e.currentTarget as HTMLInputElement).value)} />
            </div>
          </div>
          <button type="submit" class="button button-secondary" disabled={busy}>
            Record the witnessed waste
          </button>
        </form>
      )}
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </Section>
  );
}
