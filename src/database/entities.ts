import { ExecutionStep } from '../messages/execution-step.entity.js';
import { Message } from '../messages/message.entity.js';
import { SandboxFile } from '../sandbox/sandbox-file.entity.js';
import { Session } from '../sessions/session.entity.js';
import { User } from '../users/user.entity.js';

export const ENTITIES = [User, Session, Message, ExecutionStep, SandboxFile];
