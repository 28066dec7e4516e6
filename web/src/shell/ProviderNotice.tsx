import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';

/** Without an LLM provider the agent cannot run; say so and how to set one (everything else works). */
export function ProviderNotice() {
  const models = useQuery({
    queryKey: keys.models,
    queryFn: () => unwrap(api.GET('/api/models')),
    staleTime: 60_000,
  });
  if (!models.data || models.data.configured) {
    return null;
  }
  return (
    <div className="banner" role="status">
      No model is configured, so the agent cannot answer yet. Set <code>OPENAI_API_KEY</code> (and{' '}
      <code>OPENAI_BASE_URL</code> for another OpenAI-compatible provider) in the service’s
      environment or <code>.env</code>, then restart it. Sessions, files, preview and versions work
      meanwhile.
    </div>
  );
}
