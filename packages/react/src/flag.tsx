import type { ReactNode } from 'react';
import { useEntry } from './internal/context';
import type { BooleanFlagKey, FlagKey, FlagValue } from './types';

export type FlagProps<K extends FlagKey = FlagKey> = {
  /** Rendered when the flag matches (`children` is an alias). */
  on?: ReactNode;
  /** Rendered otherwise, including while the flag is missing. Default: nothing. */
  off?: ReactNode;
  children?: ReactNode;
} & (
  | { /** A boolean flag: matches when it is `true`. */ name: K & BooleanFlagKey; variant?: undefined; value?: undefined }
  | { /** Any flag: matches when it serves this variant. */ name: K; variant: string; value?: undefined }
  | { /** Any flag: matches when its value is exactly (`===`) this one. */ name: K; value: FlagValue<K>; variant?: undefined }
);

/**
 * Renders `on` or `off` depending on a flag, for JSX-only use. Records an exposure like the hooks do.
 *
 * @example
 * ```tsx
 * <Flag name="new-checkout" on={<NewCheckout />} off={<Checkout />} />
 * <Flag name="checkout-experiment" variant="treatment" on={<Banner />} />
 * <Flag name="button-color" value="green"><GreenButton /></Flag>
 * ```
 */
export function Flag<K extends FlagKey>(props: FlagProps<K>): ReactNode {
  const entry = useEntry(props.name, '<Flag>');
  const match =
    props.variant !== undefined
      ? entry?.variant === props.variant
      : props.value !== undefined
        ? entry?.value === props.value
        : entry?.value === true;
  return match ? (props.on ?? props.children) : props.off;
}
