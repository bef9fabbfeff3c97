import type { EntityType } from './entity-types.js';

/**
 * Industries of the sample: GB/T 4754-2017 classes with their Chinese names, grouped into sectors that carry
 * the economics the generator needs (risk offset, size, invoicing, energy use, seasonality, tax rate). The
 * sector parameters are illustrative choices, documented in data-samples/README.md, not statistics.
 */
export interface Sector {
  readonly key: string;
  /** Additive offset to the latent risk z (higher = riskier). */
  readonly risk: number;
  /** Shift of log annual revenue against the entity type's median. */
  readonly sizeShift: number;
  /** Typical amount of one sales invoice for a median-sized firm, yuan. */
  readonly ticket: number;
  /** Purchase invoices per sales invoice. */
  readonly purchaseRatio: number;
  /** Electricity per yuan of revenue, kWh. */
  readonly kwhPerYuan: number;
  /** Tons of water per kWh. */
  readonly waterPerKwh: number;
  /** Seasonal amplitude of monthly revenue and its peak month (1-12). */
  readonly seasonAmp: number;
  readonly seasonPeak: number;
  /** General-taxpayer VAT rate on sales. */
  readonly vatRate: number;
  /** Mean net margin. */
  readonly margin: number;
  /** Relative frequency by entity type. */
  readonly weight: Readonly<Record<EntityType, number>>;
}

/** One GB/T 4754-2017 class: code with its section letter, Chinese and English names, a word for firm names. */
export interface Industry {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  /** Used to build firm names (e.g. 钢结构 in 某某钢结构有限公司). */
  readonly word: string;
  /** What an individual business of this class calls itself (店, 餐馆 …). */
  readonly shop: string;
  readonly sector: Sector;
}

const w = (company: number, individual: number, farmer: number, coop: number) => ({
  company,
  individual_business: individual,
  farmer,
  cooperative: coop,
});

/** The sectors, keyed by name. */
export const SECTORS = {
  agriculture: {
    key: 'agriculture',
    risk: 0.2,
    sizeShift: -0.1,
    ticket: 6_000,
    purchaseRatio: 0.5,
    kwhPerYuan: 0.03,
    waterPerKwh: 2,
    seasonAmp: 0.35,
    seasonPeak: 10,
    vatRate: 0.09,
    margin: 0.08,
    weight: w(3, 4, 100, 85),
  },
  foodManufacturing: {
    key: 'foodManufacturing',
    risk: 0,
    sizeShift: 0.1,
    ticket: 12_000,
    purchaseRatio: 0.7,
    kwhPerYuan: 0.06,
    waterPerKwh: 0.5,
    seasonAmp: 0.12,
    seasonPeak: 1,
    vatRate: 0.13,
    margin: 0.06,
    weight: w(5, 3, 0, 10),
  },
  lightManufacturing: {
    key: 'lightManufacturing',
    risk: 0.05,
    sizeShift: 0.15,
    ticket: 20_000,
    purchaseRatio: 0.7,
    kwhPerYuan: 0.05,
    waterPerKwh: 0.2,
    seasonAmp: 0.08,
    seasonPeak: 11,
    vatRate: 0.13,
    margin: 0.05,
    weight: w(9, 3, 0, 0),
  },
  heavyManufacturing: {
    key: 'heavyManufacturing',
    risk: 0,
    sizeShift: 0.3,
    ticket: 45_000,
    purchaseRatio: 0.7,
    kwhPerYuan: 0.08,
    waterPerKwh: 0.15,
    seasonAmp: 0.08,
    seasonPeak: 12,
    vatRate: 0.13,
    margin: 0.06,
    weight: w(9, 2, 0, 0),
  },
  electrical: {
    key: 'electrical',
    risk: -0.1,
    sizeShift: 0.25,
    ticket: 30_000,
    purchaseRatio: 0.7,
    kwhPerYuan: 0.04,
    waterPerKwh: 0.1,
    seasonAmp: 0.06,
    seasonPeak: 12,
    vatRate: 0.13,
    margin: 0.07,
    weight: w(5, 1, 0, 0),
  },
  construction: {
    key: 'construction',
    risk: 0.4,
    sizeShift: 0.3,
    ticket: 180_000,
    purchaseRatio: 0.8,
    kwhPerYuan: 0.01,
    waterPerKwh: 0.5,
    seasonAmp: 0.2,
    seasonPeak: 11,
    vatRate: 0.09,
    margin: 0.04,
    weight: w(10, 4, 0, 0),
  },
  wholesale: {
    key: 'wholesale',
    risk: 0.15,
    sizeShift: 0.4,
    ticket: 20_000,
    purchaseRatio: 0.8,
    kwhPerYuan: 0.005,
    waterPerKwh: 0.3,
    seasonAmp: 0.1,
    seasonPeak: 1,
    vatRate: 0.13,
    margin: 0.03,
    weight: w(16, 10, 0, 0),
  },
  retail: {
    key: 'retail',
    risk: 0.1,
    sizeShift: 0,
    ticket: 900,
    purchaseRatio: 0.3,
    kwhPerYuan: 0.02,
    waterPerKwh: 0.2,
    seasonAmp: 0.15,
    seasonPeak: 1,
    vatRate: 0.13,
    margin: 0.05,
    weight: w(8, 30, 0, 5),
  },
  transport: {
    key: 'transport',
    risk: 0.2,
    sizeShift: 0,
    ticket: 5_000,
    purchaseRatio: 0.3,
    kwhPerYuan: 0.005,
    waterPerKwh: 0.3,
    seasonAmp: 0.1,
    seasonPeak: 12,
    vatRate: 0.09,
    margin: 0.05,
    weight: w(6, 8, 0, 0),
  },
  accommodation: {
    key: 'accommodation',
    risk: 0.25,
    sizeShift: -0.1,
    ticket: 1_200,
    purchaseRatio: 0.2,
    kwhPerYuan: 0.06,
    waterPerKwh: 0.6,
    seasonAmp: 0.2,
    seasonPeak: 8,
    vatRate: 0.06,
    margin: 0.07,
    weight: w(2, 3, 0, 0),
  },
  catering: {
    key: 'catering',
    risk: 0.35,
    sizeShift: -0.2,
    ticket: 600,
    purchaseRatio: 0.2,
    kwhPerYuan: 0.05,
    waterPerKwh: 0.8,
    seasonAmp: 0.15,
    seasonPeak: 2,
    vatRate: 0.06,
    margin: 0.08,
    weight: w(4, 18, 0, 0),
  },
  software: {
    key: 'software',
    risk: -0.05,
    sizeShift: 0,
    ticket: 30_000,
    purchaseRatio: 0.3,
    kwhPerYuan: 0.005,
    waterPerKwh: 0.2,
    seasonAmp: 0.1,
    seasonPeak: 12,
    vatRate: 0.06,
    margin: 0.1,
    weight: w(8, 0.5, 0, 0),
  },
  research: {
    key: 'research',
    risk: -0.2,
    sizeShift: -0.1,
    ticket: 50_000,
    purchaseRatio: 0.3,
    kwhPerYuan: 0.02,
    waterPerKwh: 0.2,
    seasonAmp: 0.12,
    seasonPeak: 12,
    vatRate: 0.06,
    margin: 0.1,
    weight: w(4, 0, 0, 0),
  },
  residentServices: {
    key: 'residentServices',
    risk: 0.1,
    sizeShift: -0.4,
    ticket: 700,
    purchaseRatio: 0.2,
    kwhPerYuan: 0.02,
    waterPerKwh: 0.5,
    seasonAmp: 0.08,
    seasonPeak: 1,
    vatRate: 0.06,
    margin: 0.1,
    weight: w(4, 14, 0, 0),
  },
} as const satisfies Record<string, Sector>;

const S = SECTORS;
const i = (code: string, zh: string, en: string, word: string, shop: string, sector: Sector): Industry => ({
  code,
  zh,
  en,
  word,
  shop,
  sector,
});

/** The industry classes the generator draws from (GB/T 4754-2017 codes). */
export const INDUSTRIES: readonly Industry[] = [
  i('A0111', '稻谷种植', 'Rice growing', '粮食种植', '种植场', S.agriculture),
  i('A0141', '蔬菜种植', 'Vegetable growing', '蔬菜种植', '蔬菜基地', S.agriculture),
  i('A0142', '食用菌种植', 'Edible fungi growing', '食用菌', '菌菇场', S.agriculture),
  i('A0151', '仁果类和核果类水果种植', 'Pome and stone fruit growing', '果业', '果园', S.agriculture),
  i('A0164', '茶叶种植', 'Tea growing', '茶业', '茶园', S.agriculture),
  i('A0311', '牛的饲养', 'Cattle farming', '肉牛养殖', '养牛场', S.agriculture),
  i('A0313', '猪的饲养', 'Pig farming', '生猪养殖', '养猪场', S.agriculture),
  i('A0321', '鸡的饲养', 'Chicken farming', '家禽养殖', '养鸡场', S.agriculture),
  i('A0412', '内陆养殖', 'Inland aquaculture', '水产养殖', '养殖场', S.agriculture),
  i('C1311', '稻谷加工', 'Rice milling', '米业', '米厂', S.foodManufacturing),
  i('C1411', '糕点、面包制造', 'Pastry and bread making', '食品', '糕点坊', S.foodManufacturing),
  i('C1431', '米、面制品制造', 'Rice and flour products', '面业', '面坊', S.foodManufacturing),
  i('C18', '纺织服装、服饰业', 'Apparel manufacturing', '服饰', '制衣厂', S.lightManufacturing),
  i('C2110', '木质家具制造', 'Wooden furniture', '家具', '家具厂', S.lightManufacturing),
  i('C2231', '纸和纸板容器制造', 'Paper containers', '包装', '纸箱厂', S.lightManufacturing),
  i('C2319', '包装装潢及其他印刷', 'Packaging printing', '印务', '印刷厂', S.lightManufacturing),
  i('C2927', '日用塑料制品制造', 'Household plastic products', '塑业', '塑料厂', S.lightManufacturing),
  i('C3021', '水泥制品制造', 'Cement products', '建材', '水泥制品厂', S.heavyManufacturing),
  i('C3311', '金属结构制造', 'Metal structures', '钢结构', '铁艺加工部', S.heavyManufacturing),
  i('C3484', '机械零部件加工', 'Machine parts processing', '机械', '机加工厂', S.heavyManufacturing),
  i('C3572', '机械化农业及园艺机具制造', 'Farm machinery', '农机', '农机厂', S.heavyManufacturing),
  i('C3823', '配电开关控制设备制造', 'Switchgear', '电气', '电器厂', S.electrical),
  i('C3872', '照明灯具制造', 'Lighting fixtures', '照明', '灯具厂', S.electrical),
  i('C3982', '电子电路制造', 'Electronic circuits', '电子', '电子厂', S.electrical),
  i('E4710', '住宅房屋建筑', 'Residential building', '建筑工程', '工程队', S.construction),
  i('E4812', '公路工程建筑', 'Road construction', '路桥工程', '工程队', S.construction),
  i('E4910', '电气安装', 'Electrical installation', '机电安装', '水电安装部', S.construction),
  i('E5012', '住宅装饰和装修', 'Home decoration', '装饰工程', '装饰部', S.construction),
  i('F5121', '米、面制品及食用油批发', 'Grain and oil wholesale', '粮油贸易', '粮油批发部', S.wholesale),
  i('F5132', '服装批发', 'Clothing wholesale', '服装贸易', '服装批发部', S.wholesale),
  i('F5165', '建材批发', 'Building materials wholesale', '建材贸易', '建材经营部', S.wholesale),
  i('F5174', '五金产品批发', 'Hardware wholesale', '五金贸易', '五金批发部', S.wholesale),
  i('F5211', '百货零售', 'Department store retail', '百货', '百货店', S.retail),
  i('F5212', '超级市场零售', 'Supermarket retail', '超市', '超市', S.retail),
  i('F5223', '果品、蔬菜零售', 'Fruit and vegetable retail', '果蔬', '果蔬店', S.retail),
  i('F5232', '服装零售', 'Clothing retail', '服装', '服装店', S.retail),
  i('F5261', '汽车新车零售', 'New car retail', '汽车销售', '车行', S.retail),
  i('F5292', '互联网零售', 'Online retail', '电子商务', '网店', S.retail),
  i('G5431', '普通货物道路运输', 'Road freight', '物流', '货运部', S.transport),
  i('G6020', '快递服务', 'Courier services', '快递', '快递网点', S.transport),
  i('H6110', '旅游饭店', 'Tourist hotels', '酒店管理', '宾馆', S.accommodation),
  i('H6121', '经济型连锁酒店', 'Budget hotels', '酒店', '旅馆', S.accommodation),
  i('H6210', '正餐服务', 'Restaurants', '餐饮管理', '酒楼', S.catering),
  i('H6220', '快餐服务', 'Fast food', '餐饮', '快餐店', S.catering),
  i('H6291', '小吃服务', 'Snack food', '小吃', '小吃店', S.catering),
  i('I6513', '应用软件开发', 'Application software', '软件科技', '软件工作室', S.software),
  i('I6531', '信息系统集成服务', 'Systems integration', '信息技术', '电脑服务部', S.software),
  i('M7320', '工程和技术研究和试验发展', 'Engineering R&D', '科技', '技术服务部', S.research),
  i('O8040', '理发及美容服务', 'Hairdressing and beauty', '美容', '理发店', S.residentServices),
  i('O8111', '汽车修理与维护', 'Car repair', '汽车服务', '汽修店', S.residentServices),
];

/** Industries grouped for drawing: per entity type, each class's weight (its sector's weight shared out). */
export function industryWeights(entity: EntityType): Float64Array {
  const perSector = new Map<string, number>();
  for (const ind of INDUSTRIES) perSector.set(ind.sector.key, (perSector.get(ind.sector.key) ?? 0) + 1);
  const out = new Float64Array(INDUSTRIES.length);
  INDUSTRIES.forEach((ind, k) => {
    out[k] = ind.sector.weight[entity] / (perSector.get(ind.sector.key) ?? 1);
  });
  return out;
}
