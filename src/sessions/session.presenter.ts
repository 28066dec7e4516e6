import type { Session } from './session.entity.js';

export interface SessionView {
  id: string;
  title: string;
  created_at: string;
  updated_at: string;
}

export const toSessionView = (s: Session): SessionView => ({
  id: s.id,
  title: s.title,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});
