import { Link } from 'react-router';
import { useTitle } from '../../ui/page.tsx';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <section className="page page--narrow">
      <h1>Nothing here</h1>
      <p>This page does not exist, or you do not have access to it.</p>
      <p><Link to="/">Go to your projects</Link></p>
    </section>
  );
}
