import React from 'react';
import type { StepLabor } from '../labor.service.js';
import type { PrintManualStep, PrintRoutingStep, PrintStep } from '../traveler-print.service.js';
import { CheckTable } from './check-table.js';
import { formatHours, formatTime, statusLabel } from './print-format.js';

function SignOff({ step }: { step: PrintStep }) {
  return (
    <div className="signoff" data-testid="signoff">
      {step.status === 'completed' ? (
        <span className="signed">
          Signed by {step.completed_by} at {formatTime(step.completed_at)}
        </span>
      ) : (
        <span className="open">
          Signed <span className="blank"></span> Date <span className="blank"></span>
        </span>
      )}
      {step.started_at ? <span>Started {formatTime(step.started_at)}</span> : null}
    </div>
  );
}

function LaborLine({ step, labor }: { step: PrintStep; labor: StepLabor | undefined }) {
  return (
    <span className="meta">
      Est. {formatHours(step.estimated_hours)} h · Actual {formatHours(labor?.actual_hours ?? 0)} h
      {labor?.clocked_in ? ` · ${labor.clocked_in} clocked in now` : ''}
    </span>
  );
}

/** A step of the routing, as planned for this traveler's revision. */
export function RoutingStep({ step, labor }: { step: PrintRoutingStep; labor: StepLabor | undefined }) {
  return (
    <section className={`step ${step.status}`} data-testid={`step-${step.step_number}`}>
      <div className="step-head">
        <span className="step-no">{step.step_number}</span>
        <span className="op">{step.operation}</span>
        <span className={`badge ${step.status}`}>{statusLabel(step.status)}</span>
      </div>
      <div className="step-head">
        <span className="meta">
          {step.work_center.code} · {step.work_center.name}
        </span>
        <LaborLine step={step} labor={labor} />
        {step.is_parallel ? <span className="meta">May run alongside the step before it</span> : null}
      </div>
      {step.instructions ? <p className="instructions">{step.instructions}</p> : null}
      <CheckTable subSteps={step.sub_steps} />
      <SignOff step={step} />
    </section>
  );
}

/** A step added on the floor: marked apart, with who added it and why. */
export function ManualStep({ step, labor }: { step: PrintManualStep; labor: StepLabor | undefined }) {
  return (
    <section className={`step manual ${step.status}`} data-testid={`manual-step-${step.id}`}>
      <div className="step-head">
        <span className="step-no">+</span>
        <span className="op">{step.operation}</span>
        <span className={`badge ${step.status}`}>{statusLabel(step.status)}</span>
      </div>
      <div className="step-head">
        <span className="badge manual">Manual step (after step {step.after_step_number})</span>
        <span className="meta">{step.work_center ? `${step.work_center.code} · ${step.work_center.name}` : 'No work center'}</span>
        <LaborLine step={step} labor={labor} />
        <span className="meta">Added by {step.added_by}</span>
      </div>
      <p className="reason">Reason: {step.reason}</p>
      {step.instructions ? <p className="instructions">{step.instructions}</p> : null}
      <SignOff step={step} />
    </section>
  );
}
