import type { Schemas } from './client';

/** One entry of the agent's plan (`update_plan`): the whole list arrives each time it changes. */
export type PlanItem = Schemas['PlanItemView'];

/** How requests to a model are built: configured, defaulted, or learned from its answers. */
export type ModelProfile = Schemas['ModelProfileView'];

export type Message = Schemas['MessageView'];
export type Model = Schemas['ModelView'];
export type Step = Schemas['StepView'];
