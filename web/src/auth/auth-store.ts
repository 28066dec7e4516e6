/**
 * The signed-in user's access token, kept in localStorage so every tab of the console shares one
 * sign-in (and a sign-out in one tab signs the others out through the `storage` event). The console's
 * CSP allows only its own scripts, and generated pages run in a sandboxed opaque-origin frame that
 * cannot read this origin's storage. The token never goes into a URL.
 */
export interface SignedIn {
  token: string;
  user: { id: number; username: string; email: string };
}

export type AuthState =
  { status: 'signed-out'; reason?: 'expired' } | ({ status: 'signed-in' } & SignedIn);

const KEY = 'aeio.auth';
type Listener = (state: AuthState) => void;

function read(): AuthState {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as SignedIn) : null;
    if (parsed && typeof parsed.token === 'string' && parsed.user) {
      return { status: 'signed-in', ...parsed };
    }
  } catch {
    // unreadable: signed out
  }
  return { status: 'signed-out' };
}

class AuthStore {
  private state: AuthState = read();
  private readonly listeners = new Set<Listener>();

  constructor() {
    window.addEventListener('storage', (e) => {
      if (e.key === KEY) {
        this.set(read());
      }
    });
  }

  get(): AuthState {
    return this.state;
  }

  token(): string | null {
    return this.state.status === 'signed-in' ? this.state.token : null;
  }

  signIn(value: SignedIn): void {
    localStorage.setItem(KEY, JSON.stringify(value));
    this.set({ status: 'signed-in', ...value });
  }

  signOut(): void {
    localStorage.removeItem(KEY);
    this.set({ status: 'signed-out' });
  }

  /** The service refused the token (expired or revoked): back to sign-in, saying why. */
  expire(): void {
    if (this.state.status === 'signed-in') {
      localStorage.removeItem(KEY);
      this.set({ status: 'signed-out', reason: 'expired' });
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: AuthState): void {
    this.state = state;
    this.listeners.forEach((l) => l(state));
  }
}

export const authStore = new AuthStore();
