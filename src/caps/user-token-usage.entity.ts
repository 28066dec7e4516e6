import {
  Check,
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { User } from '../users/user.entity.js';

/** Prompt + completion tokens of one user on one UTC day, bumped when a turn ends (the tokens-per-day cap). */
@Entity('user_token_usage')
@Check('user_token_usage_tokens_check', 'tokens >= 0')
export class UserTokenUsage {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_token_usage_user_id_fkey' })
  user?: Relation<User>;

  /** PostgreSQL's UTC date, `YYYY-MM-DD`. */
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @Column({ type: 'bigint', default: 0 })
  tokens!: string;
}
