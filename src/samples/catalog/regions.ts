/**
 * Regions of the sample: real county-level GB/T 2260 codes in six provinces (Anhui 34, Hunan 43, Sichuan 51,
 * Fujian 35, Zhejiang 33, Henan 41), with illustrative effects on risk and size (coastal provinces a little
 * larger and safer, rural counties a little smaller and riskier).
 */
export interface Region {
  readonly code: string;
  readonly province: string;
  readonly city: string;
  /** The district or county, as used in the names of individual businesses. */
  readonly county: string;
  readonly rural: boolean;
  /** Additive offset to the latent risk z. */
  readonly risk: number;
  /** Shift of log annual revenue. */
  readonly sizeShift: number;
  /** Relative frequency inside the sample. */
  readonly weight: number;
  /** Typical price of an owner's home here, yuan. */
  readonly homePrice: number;
}

interface Province {
  readonly name: string;
  readonly weight: number;
  readonly risk: number;
  readonly sizeShift: number;
  readonly homePrice: number;
}

const PROVINCES: Record<string, Province> = {
  '34': { name: '安徽省', weight: 0.22, risk: 0.05, sizeShift: 0, homePrice: 900_000 },
  '43': { name: '湖南省', weight: 0.18, risk: 0.1, sizeShift: -0.05, homePrice: 800_000 },
  '51': { name: '四川省', weight: 0.18, risk: 0.1, sizeShift: -0.05, homePrice: 850_000 },
  '41': { name: '河南省', weight: 0.16, risk: 0.12, sizeShift: -0.1, homePrice: 700_000 },
  '33': { name: '浙江省', weight: 0.14, risk: -0.15, sizeShift: 0.3, homePrice: 1_800_000 },
  '35': { name: '福建省', weight: 0.12, risk: -0.1, sizeShift: 0.2, homePrice: 1_500_000 },
};

// [code, city, county, rural, weight inside the province]
const COUNTIES: readonly (readonly [string, string, string, boolean, number])[] = [
  ['340104', '合肥市', '蜀山区', false, 3],
  ['340111', '合肥市', '包河区', false, 3],
  ['340121', '合肥市', '长丰县', true, 2],
  ['340202', '芜湖市', '镜湖区', false, 2],
  ['340322', '蚌埠市', '五河县', true, 1.5],
  ['341221', '阜阳市', '临泉县', true, 2],
  ['341802', '宣城市', '宣州区', false, 1.5],
  ['341881', '宣城市', '宁国市', true, 1],
  ['430102', '长沙市', '芙蓉区', false, 3],
  ['430104', '长沙市', '岳麓区', false, 3],
  ['430181', '长沙市', '浏阳市', true, 2],
  ['430405', '衡阳市', '珠晖区', false, 1.5],
  ['430602', '岳阳市', '岳阳楼区', false, 1.5],
  ['431102', '永州市', '零陵区', true, 1.5],
  ['433101', '湘西土家族苗族自治州', '吉首市', true, 1],
  ['510104', '成都市', '锦江区', false, 3],
  ['510107', '成都市', '武侯区', false, 3],
  ['510703', '绵阳市', '涪城区', false, 1.5],
  ['510802', '广元市', '利州区', true, 1.5],
  ['511302', '南充市', '顺庆区', false, 1.5],
  ['410105', '郑州市', '金水区', false, 3],
  ['410122', '郑州市', '中牟县', true, 2],
  ['410302', '洛阳市', '老城区', false, 1.5],
  ['411302', '南阳市', '宛城区', false, 1.5],
  ['411602', '周口市', '川汇区', true, 1.5],
  ['330102', '杭州市', '上城区', false, 3],
  ['330106', '杭州市', '西湖区', false, 2],
  ['330212', '宁波市', '鄞州区', false, 2],
  ['330302', '温州市', '鹿城区', false, 1.5],
  ['330782', '金华市', '义乌市', false, 2],
  ['350102', '福州市', '鼓楼区', false, 2],
  ['350203', '厦门市', '思明区', false, 2],
  ['350206', '厦门市', '湖里区', false, 2],
  ['350582', '泉州市', '晋江市', false, 2],
  ['350802', '龙岩市', '新罗区', true, 1.5],
];

function build(): Region[] {
  const totals = new Map<string, number>();
  for (const [code, , , , wt] of COUNTIES)
    totals.set(code.slice(0, 2), (totals.get(code.slice(0, 2)) ?? 0) + wt);
  return COUNTIES.map(([code, city, county, rural, wt]) => {
    const p = PROVINCES[code.slice(0, 2)] as Province;
    return {
      code,
      province: p.name,
      city,
      county,
      rural,
      risk: p.risk + (rural ? 0.1 : 0),
      sizeShift: p.sizeShift + (rural ? -0.2 : 0),
      weight: (p.weight * wt) / (totals.get(code.slice(0, 2)) ?? 1),
      homePrice: p.homePrice * (rural ? 0.55 : 1),
    };
  });
}

/** The regions the generator draws from. */
export const REGIONS: readonly Region[] = build();
