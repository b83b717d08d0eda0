import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, setSignedOutHandler, type Schemas } from './api/client';

type Session = Schemas['ConsoleSessionDto'];
type Permission = 'read' | 'operate' | 'manage';

const ROLE_PERMISSIONS: Record<string, Permission[]> = {
  admin: ['read', 'operate', 'manage'],
  operator: ['read', 'operate'],
  viewer: ['read'],
};

interface SessionState {
  session: Session | null;
  loading: boolean;
  signedIn(session: Session): void;
  signOut(): Promise<void>;
  /** What the signed-in role may do; the API checks the same rule, this only hides what would be refused. */
  can(permission: Permission): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);
  const queryClient = useQueryClient();

  const signedIn = useCallback((next: Session) => {
    setCsrfToken(next.csrfToken);
    setSession(next);
  }, []);

  const forget = useCallback(() => {
    setCsrfToken(null);
    setSession(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    setSignedOutHandler(forget);
    api.GET('/api/v1/console/session').then(
      ({ data }) => {
        if (data) signedIn(data);
        setLoading(false);
      },
      () => setLoading(false),
    );
  }, [forget, signedIn]);

  const signOut = useCallback(async () => {
    await api.DELETE('/api/v1/console/session');
    forget();
  }, [forget]);

  const can = useCallback((permission: Permission) => !!session && ROLE_PERMISSIONS[session.user.role]?.includes(permission), [session]);

  return <SessionContext.Provider value={{ session, loading, signedIn, signOut, can }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
