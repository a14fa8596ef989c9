import type { FormEvent } from 'react';
import type { RoutingCheck as Check, RoutingStep as Step } from '../../../records/routing.service.js';

/** A row being written: every field as typed (numbers stay text until the server reads them). */
export type Draft = Record<string, string | boolean>;

export type FieldChange = (name: string, value: string | boolean) => void;

/** The check row open under a step: a new check when checkId is null. */
export interface CheckFormState {
  stepId: number;
  checkId: number | null;
  draft: Draft;
  /** Once the person has set "Measured" themselves, typing a limit no longer sets it for them. */
  measuredTouched: boolean;
}

/** The removal waiting for its confirmation. */
export interface Removing {
  kind: 'step' | 'check';
  id: number;
  stepId: number;
}

/** What a step's rows may ask of the editor, which holds the state and talks to the API. */
export interface RoutingActions {
  editStep: (step: Step) => void;
  changeStep: FieldChange;
  saveStep: (event: FormEvent) => void;
  cancelStep: () => void;
  openCheckForm: (step: Step, check?: Check) => void;
  changeCheck: FieldChange;
  saveCheck: (event: FormEvent) => void;
  closeCheckForm: () => void;
  askRemove: (removing: Removing) => void;
  remove: () => void;
  keep: () => void;
}

export const emptyStep = (next: number): Draft => ({
  step_number: String(next),
  operation: '',
  work_center_id: '',
  estimated_hours: '',
  is_parallel: false,
  instructions: '',
});

export const stepDraft = (s: Step): Draft => ({
  step_number: String(s.step_number),
  operation: s.operation,
  work_center_id: String(s.work_center_id),
  estimated_hours: String(s.estimated_hours),
  is_parallel: s.is_parallel,
  instructions: s.instructions ?? '',
});

export const emptyCheck = (next: number): Draft => ({
  sequence: String(next),
  description: '',
  requires_measurement: false,
  lower_limit: '',
  upper_limit: '',
  unit: '',
});

export const checkDraft = (c: Check): Draft => ({
  sequence: String(c.sequence),
  description: c.description,
  requires_measurement: c.requires_measurement,
  lower_limit: c.lower_limit === null ? '' : String(c.lower_limit),
  upper_limit: c.upper_limit === null ? '' : String(c.upper_limit),
  unit: c.unit ?? '',
});
