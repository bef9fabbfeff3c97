import type { FeaturePlan } from '../features/plan.js';
import type { Bilingual } from './assessment.js';

/**
 * Reasons as phrases a borrower could read, with the value in the phrase ("近12个月销售收入下降 35%"): a
 * template per catalog feature where one is written, else one per unit of the catalog entry (ratio, yuan,
 * count, months …) around the catalog's description. Phrases are built from the feature value, not from the
 * model's bin label, so the scorecard and the GBDT say the same thing of the same borrower.
 */

type Phrase = (v: number) => Bilingual;

const pct = (v: number): string => `${Math.round(Math.abs(v) * 100)}%`;
const pct1 = (v: number): string => `${(Math.round(v * 1000) / 10).toString()}%`;
const wan = (v: number): string => {
  const w = v / 10_000;
  return Math.abs(w) >= 100 ? Math.round(w).toLocaleString('en-US') : (Math.round(w * 10) / 10).toString();
};
const int = (v: number): string => String(Math.round(v));

/** A growth phrase: falls by x% / rises by x%. */
function growth(zh: string, en: string): Phrase {
  return (v) =>
    v < 0
      ? { zh: `${zh}下降 ${pct(v)}`, en: `${en} fell by ${pct(v)}` }
      : { zh: `${zh}仅增长 ${pct(v)}`, en: `${en} grew by only ${pct(v)}` };
}

function ratio(zh: string, en: string): Phrase {
  return (v) => ({ zh: `${zh}为 ${pct1(v)}`, en: `${en} is ${pct1(v)}` });
}

function money(zh: string, en: string): Phrase {
  return (v) => ({ zh: `${zh}为 ${wan(v)}万元`, en: `${en} is ${wan(v)}万 yuan` });
}

function count(zh: string, en: string, unitZh = '次', unitEn = ''): Phrase {
  return (v) => ({ zh: `${zh} ${int(v)} ${unitZh}`.trimEnd(), en: `${en}: ${int(v)}${unitEn}` });
}

/** What a source is called in a reason saying it was not provided. */
const SOURCE_NAMES: Readonly<Record<string, Bilingual>> = {
  enterprise: { zh: '工商登记信息', en: 'registration data' },
  owner: { zh: '实际控制人家庭信息', en: "the owner's household data" },
  tax: { zh: '纳税数据', en: 'tax data' },
  invoices: { zh: '发票数据', en: 'invoice data' },
  bankFlows: { zh: '银行流水', en: 'bank statements' },
  'bureau.enterprise': { zh: '企业征信报告', en: 'the enterprise credit report' },
  'bureau.owner': { zh: '实际控制人征信报告', en: "the owner's credit report" },
  judicial: { zh: '司法信息', en: 'judicial records' },
  utilities: { zh: '水电缴费记录', en: 'utility records' },
  socialInsurance: { zh: '社保缴纳记录', en: 'social-insurance records' },
};

/** Hand-written phrases for the features the shipped models cite most. */
const TEMPLATES: Readonly<Record<string, Phrase>> = {
  tax_revenue_growth_12m: growth(
    '近12个月纳税申报收入同比',
    'declared revenue over the last 12 months, year on year,',
  ),
  tax_revenue_growth_3m: growth('近3个月纳税申报收入环比', 'declared revenue over the last 3 months'),
  inv_sales_growth_12m: growth(
    '近12个月销售收入（开票）同比',
    'invoiced sales over the last 12 months, year on year,',
  ),
  inv_sales_growth_3m: growth('近3个月销售收入（开票）', 'invoiced sales over the last 3 months'),
  bank_inflow_growth_6m: growth('近6个月银行流水流入', 'bank inflows over the last 6 months'),
  util_electricity_growth_6m: growth('近6个月用电量', 'electricity use over the last 6 months'),
  si_headcount_growth_6m: growth('近6个月社保参保人数', 'insured headcount over the last 6 months'),
  tax_revenue_slope_12m: (v) =>
    v < 0
      ? {
          zh: `近12个月纳税申报收入逐月下滑（月均 ${pct1(v)}）`,
          en: `declared revenue slid month by month over the last 12 months (${pct1(v)} a month)`,
        }
      : {
          zh: `近12个月纳税申报收入增长缓慢（月均 ${pct1(v)}）`,
          en: `declared revenue grew slowly over the last 12 months (${pct1(v)} a month)`,
        },
  bank_inflow_slope_12m: (v) =>
    v < 0
      ? {
          zh: `近12个月银行流入逐月下滑（月均 ${pct1(v)}）`,
          en: `bank inflows slid month by month over the last 12 months (${pct1(v)} a month)`,
        }
      : {
          zh: `近12个月银行流入增长缓慢（月均 ${pct1(v)}）`,
          en: `bank inflows grew slowly over the last 12 months (${pct1(v)} a month)`,
        },
  bank_inflow_cv_12m: (v) => ({
    zh: `近12个月银行流水波动大（变异系数 ${v.toFixed(2)}）`,
    en: `bank inflows were volatile over the last 12 months (coefficient of variation ${v.toFixed(2)})`,
  }),
  bank_net_outflow_months_12m: count(
    '近12个月净流出月份',
    'months with a net bank outflow in the last 12',
    '个月',
    '',
  ),
  owner_debt_to_income: (v) => ({
    zh: `家庭负债为年收入的 ${v.toFixed(1)} 倍`,
    en: `household debt is ${v.toFixed(1)} times annual income`,
  }),
  owner_leverage: ratio('家庭资产负债率', 'household debt over assets'),
  owner_income_per_capita: money('家庭人均年收入', 'household income per person'),
  owner_total_assets: money('家庭总资产', 'household assets'),
  ent_years_in_business: (v) => ({
    zh: `经营年限仅 ${v.toFixed(1)} 年`,
    en: `in business for only ${v.toFixed(1)} years`,
  }),
  ent_paid_in_capital: money('实缴资本', 'paid-in capital'),
  exposure_to_tax_revenue_12m: (v) => ({
    zh: `营授比（征信授信含本次÷年纳税收入）为 ${pct1(v)}`,
    en: `credit exposure including this request is ${pct1(v)} of declared annual revenue (营授比)`,
  }),
  request_to_inflow_12m: (v) => ({
    zh: `申请金额为近12个月银行流入的 ${pct1(v)}`,
    en: `the request is ${pct1(v)} of bank inflows over the last 12 months`,
  }),
  request_to_sales_12m: (v) => ({
    zh: `申请金额为近12个月销售收入的 ${pct1(v)}`,
    en: `the request is ${pct1(v)} of sales over the last 12 months`,
  }),
  inv_customer_hhi_12m: (v) => ({
    zh: `客户集中度高（HHI ${v.toFixed(2)}）`,
    en: `sales depend on few customers (HHI ${v.toFixed(2)})`,
  }),
  inv_top1_customer_share_12m: ratio('第一大客户销售占比', "the largest customer's share of sales"),
  bureau_owner_overdue_months_24m: count(
    '实际控制人近24个月逾期',
    'months overdue on the owner’s credit report in the last 24',
    '个月',
    '',
  ),
  bureau_ent_overdue_months_24m: count(
    '企业近24个月逾期',
    'months overdue on the enterprise credit report in the last 24',
    '个月',
    '',
  ),
  bureau_owner_loan_inquiries_12m: count(
    '实际控制人近12个月贷款审批查询',
    'loan-approval inquiries on the owner in the last 12 months',
  ),
  bureau_ent_loan_inquiries_12m: count(
    '企业近12个月贷款审批查询',
    'loan-approval inquiries on the enterprise in the last 12 months',
  ),
  bureau_owner_utilisation: ratio('实际控制人授信使用率', "the owner's credit utilisation"),
  bureau_ent_utilisation: ratio('企业授信使用率', "the enterprise's credit utilisation"),
  bureau_owner_card_utilisation: ratio('信用卡使用率', 'credit-card utilisation'),
  bureau_owner_guarantees_amount: money('实际控制人对外担保', 'guarantees given by the owner'),
  bureau_ent_months_since_inquiry: (v) => ({
    zh: `企业 ${int(v)} 个月前刚被查询征信`,
    en: `the enterprise's credit report was pulled ${int(v)} months ago`,
  }),
  jud_defendant_count_24m: count(
    '近24个月作为被告的诉讼',
    'lawsuits as defendant in the last 24 months',
    '起',
    '',
  ),
  jud_penalty_count_36m: count('近36个月行政处罚', 'administrative penalties in the last 36 months'),
  jud_months_since_adverse: (v) => ({
    zh: `${int(v)} 个月前有不良司法记录`,
    en: `an adverse judicial record ${int(v)} months ago`,
  }),
  util_arrears_months_12m: count(
    '近12个月水电欠费',
    'months with utility arrears in the last 12',
    '个月',
    '',
  ),
  util_electricity_cv_12m: (v) => ({
    zh: `近12个月用电量波动大（变异系数 ${v.toFixed(2)}）`,
    en: `electricity use was volatile over the last 12 months (coefficient of variation ${v.toFixed(2)})`,
  }),
  si_headcount_to_employees: ratio('社保参保人数占登记员工', 'insured headcount over registered employees'),
  tax_grade_rank: (v) => ({
    zh: `纳税信用等级偏低（档位 ${int(v)}）`,
    en: `a low tax credit grade (rank ${int(v)})`,
  }),
};

/** The fallback phrase of a feature by the unit of its catalog entry. */
function byUnit(unit: string, zh: string, en: string): Phrase {
  switch (unit) {
    case 'ratio':
    case 'ratio/month':
      return ratio(zh, en);
    case 'yuan':
    case 'yuan/month':
      return money(zh, en);
    case 'count':
      return count(zh, en, '', '');
    case 'months':
      return (v) => ({ zh: `${zh}：${int(v)} 个月`, en: `${en}: ${int(v)} months` });
    default:
      return (v) => ({
        zh: `${zh}：${Math.round(v * 100) / 100}`,
        en: `${en}: ${Math.round(v * 100) / 100}`,
      });
  }
}

/** Phrases for every feature of a plan, built once: phrase(index, value). */
export function reasonPhrases(plan: FeaturePlan): (index: number, value: number) => Bilingual {
  const phrases = plan.features.map((f) => {
    const { zh, en } = f.entry.description;
    const levels = f.levels;
    const known = TEMPLATES[f.name];
    const source = SOURCE_NAMES[f.entry.source];
    // A missing value that raises risk is a source not provided: say which, and what could not be checked.
    const missing: Bilingual =
      source === undefined
        ? { zh: `${zh}：未提供`, en: `${en}: not provided` }
        : {
            zh: `未提供${source.zh}，无法核实${zh}`,
            en: `${source.en} not provided: ${en} could not be checked`,
          };
    const phrase: Phrase =
      levels !== undefined
        ? (v) => ({ zh: `${zh}：${levels[v] ?? v}`, en: `${en}: ${levels[v] ?? v}` })
        : (known ?? byUnit(f.entry.unit, zh, en));
    return (v: number): Bilingual => (Number.isNaN(v) ? missing : phrase(v));
  });
  return (index, value) => (phrases[index] as (v: number) => Bilingual)(value);
}
