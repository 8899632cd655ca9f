// A new studio; its creator becomes its owner.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { nameProblem } from '@backlot/core';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { rememberStudio } from '../../app/studios.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { useTitle } from '../../ui/page.tsx';

export function NewStudioPage({ first = false }: { first?: boolean }) {
  useTitle('New studio');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const form = useForm(['name']);
  const submit = form.onSubmit(async () => {
    const problem = nameProblem(name);
    if (problem) return form.setProblem('name', `The name ${problem}.`);
    const studio = await api.studios.create({ name });
    rememberStudio(studio.id);
    await qc.invalidateQueries({ queryKey: keys.studios });
    navigate(`/studios/${studio.id}`);
  });
  return (
    <section className="page page--narrow">
      <h1>{first ? 'Create your studio' : 'New studio'}</h1>
      <p className="lead">{first ? 'A studio holds your team and its projects. You will be its owner.' : 'You will be the owner of the new studio.'}</p>
      <form onSubmit={submit} noValidate className="panel">
        <FormError>{form.formError}</FormError>
        <Field label="Studio name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} required />
        <SubmitButton busy={form.busy}>Create studio</SubmitButton>
      </form>
    </section>
  );
}
