// Notice templates page: the e-mails billing sends (new invoice, reminders, suspension...), their
// subject and text edited by the operator, checked against the variables each notice is given,
// previewed with sample data, saved or put back to the default.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.ts';
import type { FormValues } from '../../http/forms.ts';
import { readFormValues } from '../../http/forms.ts';
import { renderView } from '../../http/render.ts';
import { flash } from '../../http/flash.ts';
import { requireRole } from '../../http/guards.ts';
import { zodFieldErrors } from '../../settings/store.ts';
import { EMAIL_ACTION_LABELS } from '../clients/labels.ts';
import {
  ACTION_OF,
  DEFAULT_NOTICES,
  NOTICE_KINDS,
  NOTICE_LABELS,
  NOTICE_VARIABLES,
  checkNoticeTemplate,
  isCustomised,
  noticeTemplates,
  renderNotice,
  sampleNoticeData,
  saveNoticeTemplate,
  savedNotices,
  type NoticeKind,
  type NoticeTemplate,
} from '../notifications.ts';
import { BILLING_BASE, BILLING_EDIT_ROLES, audit, str } from './shared.ts';

const BASE = `${BILLING_BASE}/notices`;
export const SUBJECT_MAX = 200;
export const TEXT_MAX = 10_000;

/** The edit form as typed: the subject on one line, the text with its line breaks; both checked for the kind's variables. */
export function noticeFormSchema(kind: NoticeKind) {
  const template = (s: string, ctx: z.RefinementCtx) => {
    const problem = checkNoticeTemplate(kind, s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
  return z.object({
    subject: z.preprocess(
      (v) => str(v as string | string[] | undefined).replace(/\s+/g, ' ').trim(),
      z.string().min(1, 'Enter the subject').max(SUBJECT_MAX, `Use at most ${SUBJECT_MAX} characters`).superRefine(template),
    ),
    text: z.preprocess(
      (v) => str(v as string | string[] | undefined).replace(/\r\n?/g, '\n'),
      z.string().refine((s) => s.trim() !== '', 'Enter the text of the e-mail').refine((s) => s.length <= TEXT_MAX, `Use at most ${TEXT_MAX.toLocaleString('en-US')} characters`).superRefine(template),
    ),
  });
}

const sameTemplate = (a: NoticeTemplate, b: NoticeTemplate) => a.subject === b.subject && a.text === b.text;

/** The audit log's record of a change: what each changed part was and became (old texts can be put back from it). */
function templateDiff(before: NoticeTemplate, after: NoticeTemplate): Record<string, { from: string; to: string }> | null {
  if (sameTemplate(before, after)) return null;
  return {
    ...(before.subject !== after.subject ? { subject: { from: before.subject, to: after.subject } } : {}),
    ...(before.text !== after.text ? { text: { from: before.text, to: after.text } } : {}),
  };
}

function kindParam(c: Context<AppEnv>): NoticeKind | null {
  const k = c.req.param('kind') ?? '';
  return (NOTICE_KINDS as readonly string[]).includes(k) ? (k as NoticeKind) : null;
}

export function noticeRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole(...BILLING_EDIT_ROLES));
  const notFound = (c: Context<AppEnv>) => c.get('app').pages.error(c, 404, 'There is no such notice. The notices are listed under Billing → Notice templates.');

  r.get('/', async (c) => {
    const app = c.get('app');
    const saved = await savedNotices(app.settings);
    const current = await noticeTemplates(app.settings);
    const notices = NOTICE_KINDS.map((kind) => ({
      kind,
      ...NOTICE_LABELS[kind],
      subject: current[kind].subject,
      action: EMAIL_ACTION_LABELS[ACTION_OF[kind]],
      customised: isCustomised(saved, kind),
      href: `${BASE}/${kind}`,
    }));
    return renderView(c, 'pages/admin/billing/notices', { notices }, { title: 'Notice templates' });
  });

  type Preview = { subject: string; text: string } | { failed: true } | null;
  const editPage = async (c: Context<AppEnv>, kind: NoticeKind, values: FormValues, errors: Record<string, string>, preview: Preview, status: 200 | 400 = 200) => {
    const saved = await savedNotices(c.get('app').settings);
    return renderView(
      c,
      'pages/admin/billing/notice',
      {
        kind,
        label: NOTICE_LABELS[kind],
        action: EMAIL_ACTION_LABELS[ACTION_OF[kind]],
        customised: isCustomised(saved, kind),
        variables: NOTICE_VARIABLES[kind],
        values,
        errors,
        preview,
        formAction: `${BASE}/${kind}`,
        restoreAction: `${BASE}/${kind}/restore`,
        back: BASE,
        limits: { subject: SUBJECT_MAX, text: TEXT_MAX },
      },
      { title: `${NOTICE_LABELS[kind].title} · Notice templates`, status },
    );
  };

  r.get('/:kind', async (c) => {
    const kind = kindParam(c);
    if (!kind) return notFound(c);
    const tpl = (await noticeTemplates(c.get('app').settings))[kind];
    return editPage(c, kind, { subject: tpl.subject, text: tpl.text }, {}, null);
  });

  // Save, or with `preview` set only render: the same form, so the preview shows what Save would store.
  r.post('/:kind', async (c) => {
    const app = c.get('app');
    const kind = kindParam(c);
    if (!kind) return notFound(c);
    const values = await readFormValues(c);
    const wantsPreview = values.preview !== undefined;
    const shown: FormValues = { subject: str(values.subject), text: str(values.text) };
    const parsed = noticeFormSchema(kind).safeParse(values);
    // A refused preview still answers 200: htmx swaps only successful responses into the page.
    if (!parsed.success) return editPage(c, kind, shown, zodFieldErrors(parsed.error), wantsPreview ? { failed: true } : null, wantsPreview ? 200 : 400);
    const tpl: NoticeTemplate = parsed.data;
    if (wantsPreview) return editPage(c, kind, shown, {}, renderNotice(tpl, sampleNoticeData(kind, { invoiceUrl: app.billing.invoiceUrl(123) })));
    const changed = await app.db.transaction(async (trx) => {
      const { before, after } = await saveNoticeTemplate(app.settings, trx, kind, tpl);
      const diff = templateDiff(before, after);
      if (diff) await audit(c, 'notice_saved', `notice:${kind}`, { ...diff, isDefault: sameTemplate(after, DEFAULT_NOTICES[kind]) }, trx);
      return diff !== null;
    });
    flash(c, changed ? 'success' : 'info', changed ? `The “${NOTICE_LABELS[kind].title}” notice was saved; e-mails use it from now on.` : `Nothing changed in the “${NOTICE_LABELS[kind].title}” notice.`);
    return c.redirect(BASE, 303);
  });

  r.post('/:kind/restore', async (c) => {
    const app = c.get('app');
    const kind = kindParam(c);
    if (!kind) return notFound(c);
    const changed = await app.db.transaction(async (trx) => {
      const { before, after } = await saveNoticeTemplate(app.settings, trx, kind, null);
      const diff = templateDiff(before, after);
      if (diff) await audit(c, 'notice_restored', `notice:${kind}`, diff, trx);
      return diff !== null;
    });
    flash(c, changed ? 'success' : 'info', changed ? `The “${NOTICE_LABELS[kind].title}” notice is the default again.` : `The “${NOTICE_LABELS[kind].title}” notice already was the default.`);
    return c.redirect(`${BASE}/${kind}`, 303);
  });

  return r;
}
