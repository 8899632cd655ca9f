// Every studio of the account, and a way to make a new one. Choosing one opens its projects.
import { useNavigate } from 'react-router';
import type { StudioView } from '@backlot/api';
import { rememberStudio } from '../app/studios.ts';

const NEW = '__new__';

export function StudioSwitcher({ studios, current }: { studios: StudioView[]; current: string | null }) {
  const navigate = useNavigate();
  return (
    <div className="switcher">
      <label htmlFor="studio-switcher" className="switcher__label">Studio</label>
      <select
        id="studio-switcher"
        value={current ?? ''}
        onChange={(e) => {
          const id = e.target.value;
          if (id === NEW) return navigate('/studios/new');
          rememberStudio(id);
          navigate(`/studios/${id}`);
        }}
      >
        {!current && <option value="">Choose a studio…</option>}
        {studios.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        <option value={NEW}>New studio…</option>
      </select>
    </div>
  );
}
