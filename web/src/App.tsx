import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { AuthScreen } from './auth/AuthScreen';
import { useAuth } from './auth/use-auth';
import { Shell } from './shell/Shell';

export function App() {
  const auth = useAuth();
  const client = useQueryClient();
  const userId = auth.status === 'signed-in' ? auth.user.id : null;
  // Another user's cached answers must never show after a sign-out and a sign-in.
  useEffect(() => () => client.clear(), [client, userId]);
  return auth.status === 'signed-in' ? (
    <Shell />
  ) : (
    <AuthScreen expired={auth.reason === 'expired'} />
  );
}
