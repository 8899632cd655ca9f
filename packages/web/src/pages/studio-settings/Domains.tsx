// Which email domains may be invited to the studio (none: any). Owners change it.
import { useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { authorizeStudio, normalizeEmail, type StudioActor } from '@backlot/core';
import type { StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useForm } from '../../app/use-form.ts';
import { ChipInput, type Chip, type ChipInputHandle } from '../../ui/ChipInput.tsx';
import { FormError, SubmitButton } from '../../ui/forms.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';

const checkDomain = (value: string) => (normalizeEmail(`someone@${value}`) ? null : 'not a valid domain');
const toChips = (domains: string[]): Chip[] => domains.map((value) => ({ value, problem: null }));

export function Domains({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const canEdit = authorizeStudio(actor, 'studio.update').allowed;
  const intro = 'When set, only addresses at these domains can be invited (work email only). Leave empty to allow any address.';
  if (!canEdit) {
    return (
      <SettingsPanel title="Allowed email domains" intro={intro}>
        {studio.allowedEmailDomains.length ? (
          <ul className="domain-list">{studio.allowedEmailDomains.map((d) => <li key={d} className="chip">{d}</li>)}</ul>
        ) : <p className="muted">Any address may be invited.</p>}
        <p className="muted">Only studio owners can change this.</p>
      </SettingsPanel>
    );
  }
  return <DomainsForm studio={studio} intro={intro} />;
}

function DomainsForm({ studio, intro }: { studio: StudioView; intro: string }) {
  const qc = useQueryClient();
  const [chips, setChips] = useState<Chip[]>(() => toChips(studio.allowedEmailDomains));
  const [saved, setSaved] = useState(false);
  const input = useRef<ChipInputHandle>(null);
  const form = useForm(['allowedEmailDomains']);
  const submit = form.onSubmit(async () => {
    setSaved(false);
    const all = input.current?.flush() ?? chips;
    if (all.some((c) => c.problem)) return form.setProblem('allowedEmailDomains', 'Correct or remove the marked domains first.');
    const updated = await api.studios.update(studio.id, { allowedEmailDomains: all.map((c) => c.value) });
    setChips(toChips(updated.allowedEmailDomains));
    setSaved(true);
    await qc.invalidateQueries({ queryKey: keys.studios });
  });
  return (
    <SettingsPanel title="Allowed email domains" intro={intro}>
      <form onSubmit={submit} noValidate>
        <ChipInput ref={input} label="Domains" noun="domain" chips={chips} onChange={(c) => { setChips(c); setSaved(false); }} check={checkDomain}
          normalize={(v) => v.trim().toLowerCase().replace(/^@/, '')} placeholder="studio.com"
          hint="Press Space, Comma or Enter after each domain." error={form.errorFor('allowedEmailDomains')} />
        <FormError>{form.formError}</FormError>
        <div className="form-actions">
          <SubmitButton busy={form.busy}>Save domains</SubmitButton>
          {saved && <span className="success" role="status">Saved.</span>}
        </div>
      </form>
    </SettingsPanel>
  );
}
