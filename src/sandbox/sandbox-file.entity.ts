import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { Session } from '../sessions/session.entity.js';

/** A file of a session's sandbox, kept in PostgreSQL so every replica sees it and a session delete removes it. */
@Entity('sandbox_files')
@Unique('sandbox_files_session_path_key', ['sessionId', 'path'])
@Check('sandbox_files_size_check', 'size >= 0')
export class SandboxFile {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'sandbox_files_session_id_fkey' })
  session?: Relation<Session>;

  @Column({ type: 'varchar', length: 255 })
  path!: string;

  @Column({ type: 'bytea' })
  content!: Buffer;

  @Column({ type: 'int' })
  size!: number;

  @Column({ name: 'content_type', type: 'varchar', length: 128 })
  contentType!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
