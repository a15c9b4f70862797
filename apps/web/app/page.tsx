import { connection } from 'next/server';
import { loadWebConfig } from '@metamorph/config/web';
import { Dashboard } from '../components/Dashboard';

/** The pool overview. The API address is read when the page is served, so one build runs anywhere. */
export default async function OverviewPage() {
  await connection();
  const config = loadWebConfig(process.env);
  return <Dashboard apiUrl={config.NEXT_PUBLIC_API_URL} wsUrl={config.NEXT_PUBLIC_API_WS_URL} />;
}
