import { useEffect, useState } from 'react';
import { Slider } from 'radix-ui';
import type { Serve } from '@halyard/core';
import { Field } from '../../components/field';
import { SelectControl } from '../../components/select';
import { fieldDomId } from '../../lib/problem-fields';
import { roundPercent, rolloutOf, withRollout } from './draft';

export interface RolloutSliderProps {
  value: Serve;
  onChange(serve: Serve): void;
  variants: readonly string[];
  /** The flag key: the default salt of the bucketing hash. */
  flagKey: string;
  disabled?: boolean;
}

/**
 * The default serve as a rollout: a Radix Slider (0–100 %, 0.1 steps) and a typed input for the share of units that
 * get the rolled-out variant. Monotonic: bucketBy/salt/seed are kept, so raising it only adds units.
 */
export function RolloutSlider({ value, onChange, variants, flagKey, disabled }: RolloutSliderProps) {
  const rollout = rolloutOf(value);
  const [typed, setTyped] = useState(rollout ? String(rollout.percentage) : '');
  useEffect(() => {
    if (rollout && Number(typed) !== rollout.percentage) setTyped(String(rollout.percentage));
    // Only an outside change of the value re-syncs the text (the parse of the current text is what the user sees).
  }, [rollout?.percentage]);

  if (!rollout) {
    const on = variants[0];
    const off = variants.find((name) => name !== on) ?? on;
    return (
      <div className="rollout">
        <p className="muted">The default serve is not a two-way percentage split.</p>
        <button type="button" disabled={disabled || on === undefined} onClick={() => on !== undefined && off !== undefined && onChange(withRollout(value, on, off, 0))}>
          Turn into a percentage rollout
        </button>
      </div>
    );
  }
  const options = variants.map((name) => ({ value: name, label: name }));
  const set = (percentage: number) => onChange(withRollout(value, rollout.variant, rollout.rest, percentage));
  const bucketBy = 'split' in value ? (value.bucketBy ?? 'userId') : 'userId';
  const salt = 'split' in value ? (value.salt ?? flagKey) : flagKey;
  return (
    <div className="rollout">
      <div className="rollout-variants">
        <Field label="Roll out" id="rollout-variant">
          {(control) => <SelectControl {...control} value={rollout.variant} options={options} disabled={disabled} onValueChange={(variant) => onChange(withRollout(value, variant, rollout.rest, rollout.percentage))} />}
        </Field>
        <Field label="Everyone else gets" id="rollout-rest">
          {(control) => <SelectControl {...control} value={rollout.rest} options={options} disabled={disabled} onValueChange={(rest) => onChange(withRollout(value, rollout.variant, rest, rollout.percentage))} />}
        </Field>
      </div>
      <div className="rollout-control">
        <Slider.Root
          className="slider"
          min={0}
          max={100}
          step={0.1}
          value={[rollout.percentage]}
          disabled={disabled}
          onValueChange={([next]) => next !== undefined && set(roundPercent(next))}
        >
          <Slider.Track className="slider-track">
            <Slider.Range className="slider-range" />
          </Slider.Track>
          <Slider.Thumb className="slider-thumb" aria-label={`Rollout percentage of ${rollout.variant}`} aria-describedby="rollout-explanation" />
        </Slider.Root>
        <label className="inline-label" htmlFor={fieldDomId('defaultServe.split[0].percentage') + '-typed'}>
          <span className="visually-hidden">Rollout percentage (typed)</span>
          <input
            id={fieldDomId('defaultServe.split[0].percentage') + '-typed'}
            type="number"
            min={0}
            max={100}
            step={0.1}
            value={typed}
            disabled={disabled}
            className="rollout-input"
            onChange={(event) => {
              setTyped(event.target.value);
              const number = Number(event.target.value);
              if (event.target.value !== '' && Number.isFinite(number) && number >= 0 && number <= 100) set(roundPercent(number));
            }}
          />
          %
        </label>
      </div>
      <p id="rollout-explanation" className="rollout-explanation">
        {rollout.percentage} % of units get <strong>{rollout.variant}</strong>, the other {roundPercent(100 - rollout.percentage)} % get <strong>{rollout.rest}</strong>. Rollouts
        are monotonic: each unit&apos;s bucket is a fixed hash of the salt (<code>{salt}</code>) and its <code>{bucketBy}</code>, so the same unit always stays in the same
        bucket, and raising the percentage keeps everyone already in and only adds units; lowering it takes out the last ones added first.
      </p>
    </div>
  );
}
