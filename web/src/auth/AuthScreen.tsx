import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap } from '../api/client';
import { authStore } from './auth-store';

type Mode = 'sign-in' | 'register';

/** Sign in or register. After an expired token it says so; drafts are kept by the composer. */
export function AuthScreen({ expired }: { expired: boolean }) {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result =
        mode === 'sign-in'
          ? await unwrap(api.POST('/api/auth/login', { body: { username, password } }))
          : await unwrap(api.POST('/api/auth/register', { body: { username, email, password } }));
      authStore.signIn({ token: result.access_token, user: result.user });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const title = mode === 'sign-in' ? 'Sign in' : 'Create an account';
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
        <div className="brand auth-brand" aria-hidden="true">
          <img src="/favicon.svg" alt="" width="28" height="28" /> Aeio Dev Agent
        </div>
        <h1 id={`${id}-title`}>{title}</h1>
        {expired && (
          <p className="notice" role="status">
            Your sign-in expired. Sign in again to continue; your unsent message is kept.
          </p>
        )}
        <label htmlFor={`${id}-user`}>
          {mode === 'sign-in' ? 'Username or email' : 'Username'}
        </label>
        <input
          id={`${id}-user`}
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        {mode === 'register' && (
          <>
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              id={`${id}-email`}
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </>
        )}
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'register' ? 6 : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Please wait…' : title}
        </button>
        <p className="muted">
          {mode === 'sign-in' ? 'New here?' : 'Have an account?'}{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              setMode(mode === 'sign-in' ? 'register' : 'sign-in');
              setError(null);
            }}
          >
            {mode === 'sign-in' ? 'Create an account' : 'Sign in'}
          </button>
        </p>
      </form>
    </main>
  );
}
