// The frame of the settings pages (account, studio, project): a heading, a column of section
// links (the current one marked with aria-current), and the section beside it.
import { useId, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import './settings.css';

export interface SettingsSection {
  to: string;
  label: string;
}

interface SettingsLayoutProps {
  eyebrow: ReactNode;
  title: string;
  /** The nav's accessible name ("Studio settings"). */
  navLabel: string;
  sections: SettingsSection[];
  aside?: ReactNode;
  children: ReactNode;
}

export function SettingsLayout({ eyebrow, title, navLabel, sections, aside, children }: SettingsLayoutProps) {
  return (
    <section className="page settings">
      <div className="page__head">
        <div>
          <p className="eyebrow">{eyebrow}</p>
          <h1>{title}</h1>
        </div>
        {aside}
      </div>
      <div className={`settings__body${sections.length > 1 ? '' : ' settings__body--single'}`}>
        {sections.length > 1 && (
          <nav className="settings__nav" aria-label={navLabel}>
            <ul>
              {sections.map((s) => (
                <li key={s.to}><NavLink to={s.to} end className="settings__link">{s.label}</NavLink></li>
              ))}
            </ul>
          </nav>
        )}
        <div className="settings__content">{children}</div>
      </div>
    </section>
  );
}

/** A titled block of a settings section, with an optional line under the title. */
export function SettingsPanel({ title, intro, children, actions }: { title: string; intro?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="panel settings-panel" aria-labelledby={`${id}-title`}>
      <div className="settings-panel__head">
        <div>
          <h2 id={`${id}-title`} className="settings-panel__title">{title}</h2>
          {intro && <p className="settings-panel__intro">{intro}</p>}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}
