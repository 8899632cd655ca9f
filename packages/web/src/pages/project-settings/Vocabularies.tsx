// The project's vocabularies: asset types, collection types, tags and dependency types, each a
// list of words typed as chips (Comma or Enter ends one; words may hold spaces). One save sends
// all four; a refusal is shown by the list it is about, and nothing typed is lost.
import { useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, type ProjectSettings } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useForm } from '../../app/use-form.ts';
import { ChipInput, type Chip, type ChipInputHandle } from '../../ui/ChipInput.tsx';
import { FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import type { SettingsRules } from './rules.ts';

type ListName = keyof ProjectSettings;

const LISTS: { name: ListName; label: string; hint: string; noun: string }[] = [
  { name: 'assetTypes', label: 'Asset types', hint: 'What an asset is: model, rig, anim, texture…', noun: 'type' },
  { name: 'collectionTypes', label: 'Collection types', hint: 'What a collection is: sequence, shot, character…', noun: 'type' },
  { name: 'tags', label: 'Tags', hint: 'Free labels for finding assets; the board and browser filter by them.', noun: 'tag' },
  { name: 'dependencyTypes', label: 'Dependency types', hint: 'How one asset depends on another. At least one is needed.', noun: 'type' },
];

const toChips = (words: string[]): Chip[] => words.map((value) => ({ value, problem: null }));

export function Vocabularies({ projectId, rules }: { projectId: string; rules: SettingsRules }) {
  const settings = useQuery({ queryKey: keys.settings(projectId), queryFn: async () => (await api.browse.settings(projectId)).settings });
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <LoadError error={settings.error} retry={() => void settings.refetch()} />;
  return <VocabularyForm projectId={projectId} settings={settings.data} editable={rules.editSettings} />;
}

function VocabularyForm({ projectId, settings, editable }: { projectId: string; settings: ProjectSettings; editable: boolean }) {
  const qc = useQueryClient();
  const [lists, setLists] = useState<Record<ListName, Chip[]>>(() => ({
    assetTypes: toChips(settings.assetTypes), collectionTypes: toChips(settings.collectionTypes), tags: toChips(settings.tags), dependencyTypes: toChips(settings.dependencyTypes),
  }));
  const [saved, setSaved] = useState(false);
  const inputs = useRef<Partial<Record<ListName, ChipInputHandle | null>>>({});
  const form = useForm(LISTS.map((l) => l.name));
  const submit = form.onSubmit(async () => {
    setSaved(false);
    const body = Object.fromEntries(LISTS.map((l) => [l.name, (inputs.current[l.name]?.flush() ?? lists[l.name]).map((c) => c.value)])) as unknown as ProjectSettings;
    let answer: ProjectSettings;
    try {
      answer = await api.production.updateSettings(projectId, body);
    } catch (err) {
      const said = listProblem(err, body);
      if (!said) throw err;
      return form.setProblem(said.field, said.message);
    }
    setLists({ assetTypes: toChips(answer.assetTypes), collectionTypes: toChips(answer.collectionTypes), tags: toChips(answer.tags), dependencyTypes: toChips(answer.dependencyTypes) });
    setSaved(true);
    qc.setQueryData(keys.settings(projectId), answer);
  });
  return (
    <SettingsPanel title="Types and tags" intro="The words people pick from when they describe assets and collections.">
      <form onSubmit={submit} noValidate className="vocabularies">
        {LISTS.map((l) => (
          <ChipInput key={l.name} ref={(h) => { inputs.current[l.name] = h; }} label={l.label} noun={l.noun} chips={lists[l.name]} spaceSeparates={false}
            onChange={(chips) => { setLists((all) => ({ ...all, [l.name]: chips })); setSaved(false); }} check={() => null}
            hint={editable ? `${l.hint} Press Comma or Enter after each.` : l.hint} error={form.errorFor(l.name)} disabled={!editable} />
        ))}
        <FormError>{form.formError}</FormError>
        {editable && (
          <div className="form-actions">
            <SubmitButton busy={form.busy}>Save types and tags</SubmitButton>
            {saved && <span className="success" role="status">Saved.</span>}
          </div>
        )}
      </form>
    </SettingsPanel>
  );
}

/** The server's schema refusal about one list, in words for people (the limits are the server's). */
function listProblem(err: unknown, body: ProjectSettings): { field: ListName; message: string } | null {
  if (!(err instanceof ApiError) || err.code !== 'validation_failed') return null;
  const issue = (err.details.issues as { path?: string; message?: string }[] | undefined)?.[0];
  const [, field, index] = issue?.path?.split('/') ?? [];
  if (!issue?.message || !LISTS.some((l) => l.name === field)) return null;
  const list = field as ListName;
  const n = /(\d+)/.exec(issue.message)?.[1];
  if (/fewer than \d+ items/.test(issue.message)) return { field: list, message: `Keep at least ${n}.` };
  if (/more than \d+ items/.test(issue.message)) return { field: list, message: `At most ${n} are allowed.` };
  if (/more than \d+ characters/.test(issue.message) && index !== undefined) return { field: list, message: `“${body[list][Number(index)]}” is too long: at most ${n} characters.` };
  return null;
}
