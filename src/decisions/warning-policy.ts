import { z } from 'zod';
import { describeValue, RiskError } from '../core/errors.js';
import { RULE_OPERATORS } from './assessment.js';

/**
 * The early-warning policy as data: the five-tier scale with its overdue-day floors, the rule signals, the
 * behavioural-PD bands and drift threshold, actions per level, and the on-site-check trigger. Every number is a
 * default citing domain.md and can be replaced by a policy file.
 */

/** The five-tier classification (五级分类), lowest risk first. domain.md §5.2 */
export const WARNING_LEVELS = ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'] as const;
/** One of the levels above. */
export type WarningLevel = (typeof WARNING_LEVELS)[number];

/** Chinese names, English names and colours of the levels (colours inferred, domain.md §5.2). */
export const LEVEL_INFO: Record<
  WarningLevel,
  { zh: string; en: string; colour: 'green' | 'yellow' | 'orange' | 'red' }
> = {
  normal: { zh: '正常', en: 'normal', colour: 'green' },
  special_mention: { zh: '关注', en: 'special mention', colour: 'yellow' },
  substandard: { zh: '次级', en: 'substandard', colour: 'orange' },
  doubtful: { zh: '可疑', en: 'doubtful', colour: 'red' },
  loss: { zh: '损失', en: 'loss', colour: 'red' },
};

/** The rank of a level (0 = 正常). */
export function levelRank(level: WarningLevel): number {
  return WARNING_LEVELS.indexOf(level);
}

/** The higher of two levels. */
export function maxLevel(a: WarningLevel, b: WarningLevel): WarningLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

const text = z.object({ zh: z.string(), en: z.string() }).strict();
const level = z.enum(WARNING_LEVELS);

/** An overdue floor: more than `minDays` days past due puts the loan at `level` or above. */
export const overdueFloorSchema = z.object({ minDaysExclusive: z.number().int().min(-1), level }).strict();

/** A rule signal as data: fires when metric `input` `operator` `threshold`, raising the level to `level`. */
export const signalRuleSchema = z
  .object({
    id: z.string().min(1),
    label: text,
    input: z.string().min(1),
    operator: z.enum(RULE_OPERATORS),
    threshold: z.union([z.number(), z.string(), z.boolean()]),
    /** A second condition that must also hold (e.g. the business continues while the account empties). */
    and: z
      .object({ input: z.string().min(1), operator: z.enum(RULE_OPERATORS), threshold: z.number() })
      .strict()
      .optional(),
    level,
    source: z.string(),
    /** Why the rule reads what it reads, where the data is thinner than the domain signal. */
    note: z.string().optional(),
  })
  .strict();
/** A rule signal as data. */
export type SignalRule = z.infer<typeof signalRuleSchema>;

/** The whole warning policy. */
export const warningPolicySchema = z
  .object({
    id: z.string(),
    /** Floors, any order; the highest whose minDaysExclusive the overdue days exceed applies. */
    overdueFloors: z.array(overdueFloorSchema).min(1),
    /** A defaulted / compensated loan is at least this level (90 days past due or an early compensation). */
    defaultedFloor: level,
    signals: z.array(signalRuleSchema),
    /** Behavioural PD at or above `pd` raises the level to `level`. */
    pdBands: z.array(z.object({ pd: z.number().gt(0).lt(1), level }).strict()),
    drift: z
      .object({
        /** Escalate when pd / pdAtBaseline ≥ ratio and pd − pdAtBaseline ≥ difference. */
        ratio: z.number().positive(),
        difference: z.number().min(0).max(1),
        level,
      })
      .strict(),
    onSite: z
      .object({
        /** Balance in yuan above which … */
        minBalance: z.number().nonnegative(),
        /** … a loan needs an on-site check within this many months of maturity. */
        monthsToMaturity: z.number().int().positive(),
      })
      .strict(),
    actions: z.record(level, z.array(text)),
  })
  .strict();
/** The whole warning policy. */
export type WarningPolicy = z.infer<typeof warningPolicySchema>;

/** The 2023 overdue floors: any → 关注, > 90 → 次级, > 270 → 可疑, > 360 → 损失. domain.md §5.2 [S54][S55] */
export const OVERDUE_FLOORS_2023 = [
  { minDaysExclusive: 0, level: 'special_mention' },
  { minDaysExclusive: 90, level: 'substandard' },
  { minDaysExclusive: 270, level: 'doubtful' },
  { minDaysExclusive: 360, level: 'loss' },
] as const satisfies readonly z.infer<typeof overdueFloorSchema>[];

/** The 2007 guidance: 关注 ≤ 90, 次级 90–180, 可疑 > 180 (no day floor for 损失). domain.md §5.2 [S56] */
export const OVERDUE_FLOORS_2007 = [
  { minDaysExclusive: 0, level: 'special_mention' },
  { minDaysExclusive: 90, level: 'substandard' },
  { minDaysExclusive: 180, level: 'doubtful' },
] as const satisfies readonly z.infer<typeof overdueFloorSchema>[];

/** The default rule signals (domain.md §5.1); the inputs are metric names of decisions/behaviour.ts. */
export const DEFAULT_SIGNALS: readonly SignalRule[] = [
  {
    id: 'judicial_new',
    label: { zh: '新增涉诉/执行/失信记录', en: 'new judicial, enforcement or dishonest-debtor record' },
    input: 'judicial_events',
    operator: '>=',
    threshold: 1,
    level: 'special_mention',
    source: 'domain.md §5.1 [S12][S48]',
    note: 'the snapshots count court and administrative records together (new_judicial_events): a listing, an enforcement and a lending lawsuit are not told apart',
  },
  {
    id: 'judicial_repeat',
    label: {
      zh: '近6个月多起涉诉（疑似借贷纠纷）',
      en: 'repeated lawsuits in 6 months (possible lending disputes)',
    },
    input: 'judicial_6m',
    operator: '>=',
    threshold: 3,
    level: 'substandard',
    source: 'domain.md §5.1 [S12][S48]',
    note: 'stands in for "defendant in a lending dispute", which the data does not name',
  },
  {
    id: 'bureau_overdue',
    label: { zh: '征信当前逾期', en: 'current overdue in the credit report' },
    input: 'bureau_overdue_days',
    operator: '>',
    threshold: 0,
    level: 'special_mention',
    source: 'domain.md §5.1 [S51]',
  },
  {
    id: 'bureau_downgrade',
    label: { zh: '征信五级分类下调', en: 'bureau five-tier class downgraded' },
    input: 'bureau_class_rise',
    operator: '>=',
    threshold: 1,
    level: 'substandard',
    source: 'domain.md §5.1 [S48]',
  },
  {
    id: 'tax_grade_drop',
    label: { zh: '纳税信用等级降为C/D', en: 'tax credit grade down to C or D' },
    input: 'tax_grade',
    operator: 'in',
    threshold: 'C,D',
    level: 'special_mention',
    source: 'domain.md §5.1 [S12]',
    note: 'reads the optional tax_grade column; the monitoring sample has none, so the rule is evaluated with value null and never fires there',
  },
  {
    id: 'sales_drop_30',
    label: { zh: '销售收入下降30%以上', en: 'sales down 30% or more' },
    input: 'tax_ratio_3m',
    operator: '<=',
    threshold: 0.7,
    level: 'special_mention',
    source: 'domain.md §5.1 [S48]',
    note: 'last 3 months of tax revenue against the first 3 months on book (origination baseline): 12 months for year on year exist only from month 13',
  },
  {
    id: 'tax_revenue_collapse',
    label: { zh: '纳税申报收入断崖式下降', en: 'reported tax revenue collapsing' },
    input: 'tax_ratio_last',
    operator: '<=',
    threshold: 0.4,
    level: 'substandard',
    source: 'domain.md §5.1 (tax-filing drops, invoice-volume decline)',
    note: 'the snapshots carry no invoice counts: the month’s tax revenue against the baseline stands in for both',
  },
  {
    id: 'utility_arrears',
    label: { zh: '水电费欠缴', en: 'utility arrears' },
    input: 'arrears_months_3m',
    operator: '>=',
    threshold: 2,
    level: 'special_mention',
    source: 'domain.md §5.1 (utility arrears; arrears on taxes, wages, payments [S48])',
  },
  {
    id: 'production_drop',
    label: {
      zh: '用电量下降（疑似停产半停产）',
      en: 'power use down (production stopped or partly stopped)',
    },
    input: 'kwh_ratio_3m',
    operator: '<=',
    threshold: 0.6,
    level: 'special_mention',
    source: 'domain.md §5.1 [S48]',
  },
  {
    id: 'headcount_drop',
    label: { zh: '社保参保人数下降30%以上', en: 'insured headcount down 30% or more' },
    input: 'headcount_ratio',
    operator: '<=',
    threshold: 0.7,
    level: 'special_mention',
    source: 'domain.md §5.1 [S12][S52]',
  },
  {
    id: 'ownership_change',
    label: {
      zh: '法定代表人/实际控制人/大股东变更',
      en: 'change of legal rep, controller or main shareholder',
    },
    input: 'ownership_changed',
    operator: '==',
    threshold: true,
    level: 'special_mention',
    source: 'domain.md §5.1 [S12][S48]',
    note: 'reads the optional ownership_changed column; the monitoring sample has none',
  },
  {
    id: 'main_account_moved',
    label: {
      zh: '主结算账户转移（流入骤降而经营持续）',
      en: 'main account moved (inflows gone while the business goes on)',
    },
    input: 'inflow_ratio_3m',
    operator: '<=',
    threshold: 0.1,
    and: { input: 'tax_ratio_3m', operator: '>=', threshold: 0.7 },
    level: 'substandard',
    source: 'domain.md §5.1 [S49]',
  },
];

/** Recommended actions per level (domain.md §5.1 [S15][S50], §1.3 [S15]). */
export const DEFAULT_ACTIONS: Record<WarningLevel, { zh: string; en: string }[]> = {
  normal: [{ zh: '常规保后检查（每2个月走访）', en: 'routine post-guarantee check (visit every 2 months)' }],
  special_mention: [
    { zh: '推送客户经理核实并上传材料', en: 'push to the account manager to verify and upload evidence' },
    { zh: '按月复核', en: 'monthly review' },
  ],
  substandard: [
    { zh: '现场走访', en: 'on-site visit' },
    { zh: '与银行联合清收', en: 'collect jointly with the bank' },
    {
      zh: '到期后90日内准备尽职调查报告（代偿或豁免）',
      en: 'prepare the post-mortem within 90 days of maturity (pay or decline)',
    },
  ],
  doubtful: [
    { zh: '启动代偿准备并落实反担保措施', en: 'prepare compensation and enforce the counter-guarantee' },
    { zh: '向再担保方报备', en: 'notify the re-guarantor' },
  ],
  loss: [
    { zh: '代偿并向上游申请分险补偿', en: 'pay compensation and claim the upstream shares' },
    { zh: '启动追偿', en: 'start recovery' },
  ],
};

/**
 * The default policy: 2023 floors, the signals above, PD bands, drift ×3 and +5 points, on-site checks for
 * balances above 300万 in the last 3 months (domain.md §5.1 中原再担保 [S15]).
 */
export const DEFAULT_WARNING_POLICY: WarningPolicy = {
  id: 'warning-2023',
  overdueFloors: [...OVERDUE_FLOORS_2023],
  // 90 days past due is a default in the sample and compensation follows (domain.md §1.3, §5.2).
  defaultedFloor: 'substandard',
  signals: [...DEFAULT_SIGNALS],
  // PD bands and drift are inferred (domain.md §9 "score drift"): no source gives numbers.
  pdBands: [
    { pd: 0.15, level: 'special_mention' },
    { pd: 0.5, level: 'substandard' },
  ],
  drift: { ratio: 3, difference: 0.05, level: 'special_mention' },
  onSite: { minBalance: 3_000_000, monthsToMaturity: 3 },
  actions: DEFAULT_ACTIONS,
};

/**
 * Validates a policy (e.g. read from a file).
 * @throws E_WARNING_POLICY naming the first bad field
 * @example const p = parseWarningPolicy({ ...DEFAULT_WARNING_POLICY, overdueFloors: [...OVERDUE_FLOORS_2007] });
 */
export function parseWarningPolicy(input: unknown): WarningPolicy {
  const r = warningPolicySchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    throw new RiskError(
      'E_WARNING_POLICY',
      `warning policy ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      { path: issue.path as (string | number)[], received: describeValue(input) },
    );
  }
  return r.data;
}
