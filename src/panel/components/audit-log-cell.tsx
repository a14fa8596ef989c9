import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Link, Text, ValueGroup } from '@adminjs/design-system';

/**
 * How the audit log shows one column of an audit row, in the list and on the detail page: when
 * (in the shop's zone, with it), who acted, which record (by its title), which field (by its
 * label), the change as old → new with values as people read them, the browser by name, and an
 * event's details as plain lines instead of raw JSON. The rows of one change are grouped: its
 * first row says when and who, the next ones continue it. The names come from the resource's
 * `after` hook (src/audit/audit-row-display.service.ts).
 */
type Params = Record<string, unknown>;

const COLORS = { removed: '#b3001b', removedBg: '#fdecee', added: '#0b6b2f', addedBg: '#e7f6ec', muted: '#6b7280' };
const LIST_LIMIT = 80;

const text = (value: unknown): string | null => (value === null || value === undefined || value === '' ? null : String(value));
const clip = (value: string, where: string) => (where === 'list' && value.length > LIST_LIMIT ? `${value.slice(0, LIST_LIMIT)}…` : value);

function withTitle(value: string | null, title: string | null): string | null {
  if (value === null) return null;
  if (!title) return value;
  return title.includes(`#${value}`) ? title : `${title} (#${value})`;
}

function Who({ params }: { params: Params }) {
  const kind = text(params.actor_kind);
  const username = text(params.actor_username) ?? '';
  if (kind === 'system')
    return (
      <span>
        System <span style={{ whiteSpace: 'nowrap' }}>({username.replace(/^system:/, '')})</span>
      </span>
    );
  const name = text(params.actor_name);
  if (kind === 'anonymous') return <span>Not signed in (typed “{username}”)</span>;
  return (
    <span>
      {name ?? username}
      {name ? <span style={{ color: COLORS.muted, whiteSpace: 'nowrap' }}> ({username})</span> : null}
    </span>
  );
}

/** The value as people read it (old_text/new_text from the server), the stored text if none was given. */
function readable(params: Params, side: 'old' | 'new'): string | null {
  const shown = params[`${side}_text`];
  if (shown !== undefined) return text(shown);
  return withTitle(text(params[`${side}_value`]), text(params[`${side}_title`]));
}

function Change({ params, where }: { params: Params; where: string }) {
  const action = text(params.action);
  if (!text(params.field_name)) return <span style={{ color: COLORS.muted }}>—</span>;
  if (params.field_name === 'password') return <span>{action === 'create' ? 'password set' : 'password changed'}</span>;
  const oldValue = readable(params, 'old');
  const newValue = readable(params, 'new');
  const pre = { whiteSpace: where === 'list' ? 'normal' : 'pre-wrap', wordBreak: 'break-word', padding: '0 3px' } as const;
  return (
    <span>
      {oldValue !== null && (
        <del style={{ ...pre, color: COLORS.removed, background: COLORS.removedBg, textDecoration: 'line-through' }}>{clip(oldValue, where)}</del>
      )}
      {oldValue !== null && newValue !== null && <span style={{ color: COLORS.muted }}> → </span>}
      {newValue !== null && <ins style={{ ...pre, color: COLORS.added, background: COLORS.addedBg, textDecoration: 'none' }}>{clip(newValue, where)}</ins>}
      {oldValue === null && newValue === null && <span style={{ color: COLORS.muted }}>(empty)</span>}
    </span>
  );
}

/** Rows 2.. of one change on the page: said once, on its first row, and continued below it. */
const continues = (params: Params) => Number(params.change_position ?? 1) > 1;

function When({ params, where }: { params: Params; where: string }) {
  const shown = text(params.occurred_at_text) ?? text(params.occurred_at) ?? '';
  if (where === 'list' && continues(params)) {
    return (
      <span style={{ color: COLORS.muted }} title={shown} data-testid="audit-same-change">
        ↳ same change
      </span>
    );
  }
  const rows = Number(params.change_rows ?? 1);
  return (
    <span>
      <time dateTime={text(params.occurred_at) ?? undefined}>{shown}</time>
      {where === 'list' && rows > 1 ? <span style={{ color: COLORS.muted, whiteSpace: 'nowrap' }}> · {rows} fields</span> : null}
    </span>
  );
}

/** "Chrome 156 on Linux", opening to the full user agent. */
function BrowserCell({ params }: { params: Params }) {
  const full = text(params.user_agent);
  if (full === null) return <span style={{ color: COLORS.muted }}>—</span>;
  return (
    <details data-testid="audit-browser">
      <summary title={full} style={{ cursor: 'pointer' }}>
        {text(params.browser) ?? full}
      </summary>
      <span style={{ display: 'block', wordBreak: 'break-word', fontFamily: 'monospace', fontSize: 12 }}>{full}</span>
    </details>
  );
}

function RecordCell({ params }: { params: Params }) {
  const id = text(params.record_id);
  if (id === null) return <span style={{ color: COLORS.muted }}>—</span>;
  const title = withTitle(id, text(params.record_title)) ?? id;
  const link = text(params.record_link);
  // The list row is itself a link to the detail page; a nested link would be swallowed by it.
  return link ? (
    <Link href={link} onClick={(e: React.MouseEvent) => e.stopPropagation()}>
      {title}
    </Link>
  ) : (
    <span>{title}</span>
  );
}

function FieldCell({ params }: { params: Params }) {
  const field = text(params.field_name);
  if (field === null) return <span style={{ color: COLORS.muted }}>—</span>;
  const label = text(params.field_label);
  return (
    <span>
      {label ?? field}
      {label && label !== field ? <span style={{ color: COLORS.muted }}> ({field})</span> : null}
    </span>
  );
}

/** An event's details, flattened by AdminJS into details.a.b keys, as "a b: value" lines. */
function Details({ params }: { params: Params }) {
  const lines = Object.entries(params)
    .filter(([key]) => key.startsWith('details.'))
    .map(([key, value]) => [key.slice('details.'.length).replace(/\./g, ' › '), text(value) ?? '(empty)'] as const);
  if (lines.length === 0) return <span style={{ color: COLORS.muted }}>—</span>;
  return (
    <Box as="dl" style={{ margin: 0 }}>
      {lines.map(([key, value]) => (
        <div key={key}>
          <Text as="span" color="grey60">
            {key}:{' '}
          </Text>
          <Text as="span" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {value}
          </Text>
        </div>
      ))}
    </Box>
  );
}

const AuditLogCell: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateProperty } = useTranslation();
  const params = (record?.params ?? {}) as Params;
  let content: React.ReactNode;
  switch (property.path) {
    case 'who':
      content = where === 'list' && continues(params) ? <span style={{ color: COLORS.muted }}>same</span> : <Who params={params} />;
      break;
    case 'occurred_at':
      content = <When params={params} where={where} />;
      break;
    case 'user_agent':
      content = <BrowserCell params={params} />;
      break;
    case 'change':
      content = <Change params={params} where={where} />;
      break;
    case 'record_id':
      content = <RecordCell params={params} />;
      break;
    case 'field_name':
      content = <FieldCell params={params} />;
      break;
    case 'details':
      content = <Details params={params} />;
      break;
    default:
      content = <span>{text(params[property.path]) ?? ''}</span>;
  }
  if (where === 'list') return <>{content}</>;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{content}</ValueGroup>;
};

export default AuditLogCell;
