import type { Rng } from '../../core/rng.js';
import type { EntityType } from './entity-types.js';
import type { Industry } from './industries.js';
import type { Region } from './regions.js';

/** Common surnames (roughly by frequency) and characters for given names and trade names (字号). */
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢';
const GIVEN = '伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国志红海波春玉兰文斌林萍德福生龙燕凤';
const TRADE = '鑫宏盛源达华泰丰顺兴恒隆锦瑞康福德正嘉和金鼎诚晟昌荣祥永利新宇信安佳合众益';

function chars(rng: Rng, set: string, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += set[rng.int(set.length)];
  return s;
}

/** A person's name: a surname and one or two given-name characters. */
export function personName(rng: Rng): string {
  return chars(rng, SURNAMES, 1) + chars(rng, GIVEN, rng.chance(0.7) ? 2 : 1);
}

/**
 * A registered name in the style of each entity type: 合肥鑫盛机械有限公司, 蜀山区老王小吃店,
 * 张伟家庭农场, 宁国市瑞丰茶业专业合作社.
 */
export function entityName(
  rng: Rng,
  type: EntityType,
  industry: Industry,
  region: Region,
  owner: string,
): string {
  const city = region.city.replace(/(市|土家族苗族自治州)$/, '');
  switch (type) {
    case 'company':
      return `${city}${chars(rng, TRADE, 2)}${industry.word}有限公司`;
    case 'individual_business':
      return rng.chance(0.5)
        ? `${region.county}${chars(rng, TRADE, 2)}${industry.shop}`
        : `${region.county}${owner}${industry.shop}`;
    case 'farmer':
      return rng.chance(0.6) ? `${owner}家庭农场` : owner;
    case 'cooperative':
      return `${region.county}${chars(rng, TRADE, 2)}${industry.word}专业合作社`;
  }
}
