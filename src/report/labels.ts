import { MISSING_BIN_LABEL } from '../binning/table.js';
/**
 * The one zh/en dictionary of column headers and fixed words of exports and reports (Excel sheets, CSV
 * headers, HTML report labels). Plain data: add a key here and every writer can use it. Chinese terms are
 * those a guarantor's model team uses (坏账率, 分箱, 证据权重 WOE, 信息值 IV).
 */

/** The languages of exports and reports. */
export type Lang = 'zh' | 'en';

/** A text in both languages. */
export interface Label {
  readonly zh: string;
  readonly en: string;
}

/** Column headers and words, by key. Keys are the camelCase field names of the rows they label. */
export const LABELS = {
  // identifiers
  variable: { zh: '变量', en: 'Variable' },
  description: { zh: '变量说明', en: 'Description' },
  type: { zh: '类型', en: 'Type' },
  bin: { zh: '分箱', en: 'Bin' },
  binIndex: { zh: '分箱序号', en: 'Bin no.' },
  metric: { zh: '指标', en: 'Metric' },
  value: { zh: '数值', en: 'Value' },
  part: { zh: '样本', en: 'Sample' },
  // counts and rates
  rows: { zh: '样本数', en: 'Rows' },
  count: { zh: '样本数', en: 'Count' },
  countShare: { zh: '样本占比', en: 'Count share' },
  nonEvents: { zh: '好样本数', en: 'Goods' },
  events: { zh: '坏样本数', en: 'Bads' },
  eventRate: { zh: '坏账率', en: 'Bad rate' },
  woe: { zh: '证据权重 WOE', en: 'WoE' },
  iv: { zh: '信息值 IV', en: 'IV' },
  binIv: { zh: '分箱 IV', en: 'Bin IV' },
  gini: { zh: 'Gini 系数', en: 'Gini' },
  ks: { zh: 'KS 值', en: 'KS' },
  auc: { zh: 'AUC', en: 'AUC' },
  brier: { zh: 'Brier 分数', en: 'Brier score' },
  logLoss: { zh: '对数损失', en: 'Log loss' },
  psi: { zh: 'PSI（最大）', en: 'PSI (max)' },
  psiBySlice: { zh: '各时间段 PSI', en: 'PSI by slice' },
  // screening
  missingRate: { zh: '缺失率', en: 'Missing rate' },
  unique: { zh: '取值个数', en: 'Unique values' },
  topValue: { zh: '最多取值', en: 'Top value' },
  topShare: { zh: '最多取值占比', en: 'Top value share' },
  cluster: { zh: '相关性簇（最强变量）', en: 'Correlation cluster (strongest)' },
  clusterSize: { zh: '簇内变量数', en: 'Cluster size' },
  maxCorrelation: { zh: '最大相关系数', en: 'Max |correlation|' },
  vif: { zh: '方差膨胀因子 VIF', en: 'VIF' },
  decision: { zh: '筛选结果', en: 'Decision' },
  reason: { zh: '原因', en: 'Reason' },
  // scorecard
  points: { zh: '分数', en: 'Points' },
  coefficient: { zh: '回归系数', en: 'Coefficient' },
  baseScore: { zh: '基准分', en: 'Base score' },
  baseOdds: { zh: '基准好坏比', en: 'Base odds (good:bad)' },
  pdo: { zh: 'PDO（好坏比翻倍分数）', en: 'PDO (points to double the odds)' },
  factor: { zh: '刻度因子 B', en: 'Factor' },
  offset: { zh: '补偿常数 A', en: 'Offset' },
  intercept: { zh: '截距', en: 'Intercept' },
  minScore: { zh: '最低分', en: 'Minimum score' },
  maxScore: { zh: '最高分', en: 'Maximum score' },
  pdFormula: { zh: '违约概率公式', en: 'PD formula' },
  // lift table
  decile: { zh: '十分位（1 = 风险最高）', en: 'Decile (1 = riskiest)' },
  minPd: { zh: '最低 PD', en: 'Min PD' },
  maxPd: { zh: '最高 PD', en: 'Max PD' },
  cumCountShare: { zh: '累计样本占比', en: 'Cumulative share' },
  cumEvents: { zh: '累计坏样本数', en: 'Cumulative bads' },
  gain: { zh: '累计坏样本捕获率', en: 'Gain' },
  lift: { zh: '提升度', en: 'Lift' },
  cumLift: { zh: '累计提升度', en: 'Cumulative lift' },
  // sheet names (Excel allows at most 31 characters)
  sheetScaling: { zh: '评分刻度', en: 'Scaling' },
  sheetScorecard: { zh: '评分卡', en: 'Scorecard' },
  sheetBinning: { zh: '分箱表', en: 'Binning' },
  sheetSelection: { zh: '模型变量筛选', en: 'Model selection' },
  sheetScreening: { zh: '变量筛选', en: 'Screening' },
  sheetMetrics: { zh: '模型指标', en: 'Metrics' },
  sheetLift: { zh: '提升度表', en: 'Lift' },
  // values
  kept: { zh: '保留', en: 'kept' },
  dropped: { zh: '剔除', en: 'dropped' },
  numeric: { zh: '数值型', en: 'numeric' },
  categorical: { zh: '类别型', en: 'categorical' },
  date: { zh: '日期型', en: 'date' },
  idLike: { zh: '编号型', en: 'id-like' },
  missing: { zh: '缺失', en: 'Missing' },
  train: { zh: '训练集', en: 'train' },
  validation: { zh: '验证集', en: 'validation' },
  oot: { zh: '跨时间验证集', en: 'out-of-time' },
} as const satisfies Record<string, Label>;

/** A key of the dictionary. */
export type LabelKey = keyof typeof LABELS;

/**
 * The text of a key in a language.
 * @example label('eventRate', 'zh') // '坏账率'
 */
export function label(key: LabelKey, lang: Lang): string {
  return LABELS[key][lang];
}

/** A binning table's row label in the language: the missing bin translated, every other label as written. */
export function binRowLabel(rowLabel: string, lang: Lang): string {
  return rowLabel === MISSING_BIN_LABEL ? label('missing', lang) : rowLabel;
}

/**
 * Reads a `--lang` value.
 * @returns 'zh' or 'en', or undefined for anything else (the caller reports it with its option's name)
 */
export function parseLang(value: string): Lang | undefined {
  return value === 'zh' || value === 'en' ? value : undefined;
}
