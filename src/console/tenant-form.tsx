/**
 * The tenant form: every config field of docs/operations.md §2 as an input, and the admin
 * API's validation errors shown next to the field they name. The form never
 * validates anything itself; it turns inputs into the API's JSON and the
 * API's `field: problem` messages back into per-field notes.
 */
import type { FC } from 'hono/jsx';
import { ECS_POLICIES, type TenantConfig } from '../tenants/tenant-config';
import { FANOUT_MODES } from '../upstream/fanout-settings';

/** Fan-out overrides offered as number inputs, with what each means. */
const FANOUT_NUMBERS = [
  ['activeTierSize', 'upstreams asked at once first'],
  ['fallbackMs', 'ms before the background tier starts'],
  ['batchSize', 'background upstreams per batch'],
  ['staggerMs', 'ms between background batches'],
  ['deadlineMs', 'ms for the whole fan-out'],
  ['maxInflight', 'requests open at once'],
] as const;

/** What the form holds: the raw strings typed, so a rejected form comes back as it was sent. */
export type TenantFormValues = Readonly<Record<string, string>>;

/** Field name (as the API's messages name it: `upstreams`, `fanout.deadlineMs`, …) to messages. */
export type FieldErrors = ReadonlyMap<string, readonly string[]>;

export function valuesOfConfig(config: TenantConfig): TenantFormValues {
  const values: Record<string, string> = {
    upstreams: config.upstreams.join('\n'),
    ecs: config.ecs,
    rateLimit: config.rateLimit.enabled ? 'on' : '',
    allow: config.allow.join('\n'),
    deny: config.deny.join('\n'),
    'fanout.mode': config.fanout.mode ?? '',
  };
  for (const [field] of FANOUT_NUMBERS) {
    const value = config.fanout[field];
    values[`fanout.${field}`] = value === undefined ? '' : String(value);
  }
  return values;
}

/** The API's JSON config from the submitted form; malformed numbers pass through for the API to name. */
export function configOfValues(values: TenantFormValues): Record<string, unknown> {
  const fanout: Record<string, unknown> = {};
  const mode = values['fanout.mode'] ?? '';
  if (mode !== '') fanout.mode = mode;
  for (const [field] of FANOUT_NUMBERS) {
    const raw = (values[`fanout.${field}`] ?? '').trim();
    if (raw !== '') fanout[field] = /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return {
    upstreams: lines(values.upstreams),
    fanout,
    ecs: values.ecs || 'strip',
    rateLimit: { enabled: values.rateLimit === 'on' },
    allow: lines(values.allow),
    deny: lines(values.deny),
  };
}

function lines(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Sorts the API's `a: …; b[2]: …` message into fields. A list index
 * becomes the line it came from; what names no form field goes under ``.
 */
export function fieldErrorsOf(message: string, fields: readonly string[]): FieldErrors {
  const errors = new Map<string, string[]>();
  for (const part of message.split('; ')) {
    const match = /^([A-Za-z]+)(?:\[(\d+)\])?(?:\.([A-Za-z]+))?: (.*)$/s.exec(part);
    let field = '';
    let text = part;
    if (match) {
      const [, head = '', index, sub, problem = ''] = match;
      const dotted = sub ? `${head}.${sub}` : head;
      field = fields.includes(dotted) ? dotted : fields.includes(head) ? head : '';
      text = index === undefined ? problem : `line ${Number(index) + 1}: ${problem}`;
      if (field === '') text = part;
    }
    errors.set(field, [...(errors.get(field) ?? []), text]);
  }
  return errors;
}

/** Every field name the form has, in the API's spelling. */
export const TENANT_FIELDS: readonly string[] = [
  'id',
  'upstreams',
  'fanout',
  'fanout.mode',
  ...FANOUT_NUMBERS.map(([field]) => `fanout.${field}`),
  'ecs',
  'rateLimit',
  'allow',
  'deny',
];

const Errors: FC<{ errors: FieldErrors; field: string }> = ({ errors, field }) => {
  const messages = errors.get(field);
  if (!messages) return null;
  return (
    <span class="field-error" id={`${field}-error`}>
      {messages.join('; ')}
    </span>
  );
};

function invalid(errors: FieldErrors, field: string) {
  return errors.has(field) ? { 'aria-invalid': 'true', 'aria-describedby': `${field}-error` } : {};
}

export interface TenantFormProps {
  readonly action: string;
  /** Present on the create form only: the id is fixed once the tenant exists. */
  readonly withId: boolean;
  readonly values: TenantFormValues;
  readonly errors: FieldErrors;
  readonly submit: string;
  /** `rateLimit` is the admin's to set: a tenant sees it, cannot change it, and the post leaves it out. */
  readonly adminFields: boolean;
}

export const TenantForm: FC<TenantFormProps> = ({
  action,
  withId,
  values,
  errors,
  submit,
  adminFields,
}) => (
  <form class="stack" method="post" action={action}>
    {errors.has('') ? <p class="error">{errors.get('')?.join('; ')}</p> : null}
    {withId ? (
      <label>
        Tenant id <small>one DNS label: lower-case letters, digits, hyphens</small>
        <input name="id" value={values.id ?? ''} required {...invalid(errors, 'id')} />
        <Errors errors={errors} field="id" />
      </label>
    ) : null}
    <label>
      Upstreams <small>one per line, name=url (https, http, tcp, tls)</small>
      <textarea name="upstreams" {...invalid(errors, 'upstreams')}>
        {values.upstreams ?? ''}
      </textarea>
      <Errors errors={errors} field="upstreams" />
    </label>
    <Errors errors={errors} field="fanout" />
    <label>
      Fan-out mode <small>empty: the deployment's</small>
      <select name="fanout.mode" {...invalid(errors, 'fanout.mode')}>
        <option value="">(deployment default)</option>
        {FANOUT_MODES.map((mode) => (
          <option value={mode} selected={values['fanout.mode'] === mode}>
            {mode}
          </option>
        ))}
      </select>
      <Errors errors={errors} field="fanout.mode" />
    </label>
    {FANOUT_NUMBERS.map(([field, meaning]) => (
      <label>
        {field} <small>{meaning}; empty: the deployment's</small>
        <input
          name={`fanout.${field}`}
          inputmode="numeric"
          value={values[`fanout.${field}`] ?? ''}
          {...invalid(errors, `fanout.${field}`)}
        />
        <Errors errors={errors} field={`fanout.${field}`} />
      </label>
    ))}
    <label>
      EDNS Client Subnet
      <select name="ecs" {...invalid(errors, 'ecs')}>
        {ECS_POLICIES.map((policy) => (
          <option value={policy} selected={values.ecs === policy}>
            {policy === 'strip' ? 'strip (default)' : 'truncate (/24, /56)'}
          </option>
        ))}
      </select>
      <Errors errors={errors} field="ecs" />
    </label>
    <label>
      <span>
        <input
          type="checkbox"
          name="rateLimit"
          checked={values.rateLimit === 'on'}
          disabled={!adminFields}
        />{' '}
        Rate limit per client IP{adminFields ? null : <small> (set by the operator)</small>}
      </span>
      <Errors errors={errors} field="rateLimit" />
    </label>
    <label>
      Allow list <small>one name suffix per line; wins over deny</small>
      <textarea name="allow" {...invalid(errors, 'allow')}>
        {values.allow ?? ''}
      </textarea>
      <Errors errors={errors} field="allow" />
    </label>
    <label>
      Deny list <small>one name suffix per line; answered NXDOMAIN</small>
      <textarea name="deny" {...invalid(errors, 'deny')}>
        {values.deny ?? ''}
      </textarea>
      <Errors errors={errors} field="deny" />
    </label>
    <div>
      <button type="submit">{submit}</button>
    </div>
  </form>
);
