"""The sample team's data for `crm-xl new --sample` and workbook/sample.xlsx.

A sales team of four (小王 小李 小张 小陈) selling CRM and supply-chain software: 62 customers first
contacted 2023-11 … 2024-03 (three repeat accounts earlier in 2023), ~400 follow-ups from 2023-12-01 to
2024-03-31, a tier log typed by hand over the months, and a conversion for every won customer.
Deterministic: `random.Random(SEED)` and fixed dates only — nothing depends on the day it is built.

The toolkit's own examples (SPEC.md, "Examples from the toolkit") are included verbatim, with their
problems: YY贸易集团's truncated phone `1395678`, its follow-up of 2024-03-02 without a method, the tier-log
row of ZZ文化传媒 and the conversion of AA生物制药, neither of which is in Customers.

Deliberate mistakes, so validation has something to show:
- 华信物流集团 (小张, 2024-03-06) duplicates 华信物流有限公司 (小陈): same company after removing the suffix,
  same contact 刘经理 and the same phone;
- 瑞康医疗器械股份有限公司's contact is a bad e-mail, `zhouli@ruikang-med` (no domain ending);
- a follow-up of 博远教育科技有限公司 is dated 2024-05-03 (a typo for 2024-03-05): a date in the future;
- 新锐广告传媒有限公司 has no contact.
Expected warnings besides: three customers entered more than 24 h after first contact (天工机械股份有限公司,
盛世传媒集团, 泰和医院管理集团), verification older than 7 days on the customers that went quiet, and five
follow-ups logged by a colleague of the customer's owner.

What the jobs find (today 2024-03-15 for stale, 2024-04-01 for the README's run, review month 2024-03):
- overdue leads on both dates (宏图建设集团, 众诚软件, 利华纺织, 美途旅游 went quiet in Feb/early March);
  安信检测 and 恒源电力 are due on 2024-03-15; 泰和医院 and 永安精工 are due on 2024-04-01; 鸿运汽车,
  星辰智能 and 安泰安防 have no follow-up yet; over-contact: 盛世传媒集团 twice on 2024-03-14,
  和信数字金融 twice on 2024-03-30 (its latest day), 金石投资 (tier C) three times in a week at the end of March;
- after-sale steps due: 鼎盛精密 (quarterly survey due mid-March, done 03-20 with a complaint), 云帆网络
  (check-in call due 2024-03-15, made late; no guide sent), 优品零售 (no quarterly survey), 恒信保险 (won
  03-27, no check-in call); 新华书城 (a 2023 account) has had no survey since its first deal;
- churn: 鼎盛精密 NPS −30 and no conversion since 2023-12-14 (high); 康泰医药 NPS −10, tagged 价格敏感;
  天工机械 NPS −20;
- review 2024-03: new customers from every source, conversions by several sources and last-touch methods,
  four customers lost in March (选择竞品, 价格异议, 其他, 预算不足), tier moves in the log.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from ..model.i18n import Lang, to_hant
from ..model.schema import ENUMS, SHEETS, Kind
from ..model.settings import DEFAULT_LISTS, Settings

SEED = 20240401
OWNERS = ["小王", "小李", "小张", "小陈"]
FIRST_DAY, LAST_DAY = dt.date(2023, 12, 1), dt.date(2024, 3, 31)
D = dt.date.fromisoformat

# name | industry | source | owner | first contact | plan
#   won DATE · repeat DATE DATE · lost DATE REASON · paused DATE (last contact) · hot CLOSE · warm CLOSE [NEXT]
#   cold · stale LAST · due LAST NEXT · new
PLAN = """
鼎盛精密制造有限公司|制造业|展会推荐|小王|2023-11-03|won 2023-12-14
金瑞矿业设备有限公司|制造业|展会推荐|小张|2023-11-06|won 2023-12-28
优品零售连锁有限公司|零售|转介绍|小李|2023-11-08|won 2023-12-22
正则会计咨询有限公司|金融|官网|小陈|2023-11-10|paused 2024-01-25
金桥金融服务有限公司|金融|官网|小张|2023-11-15|won 2024-01-18
安达物流集团|物流|电话营销|小陈|2023-11-21|won 2024-01-09
明辉照明电器有限公司|制造业|其他|小王|2023-11-23|won 2024-02-09
远景新能源有限公司|制造业|线上广告|小李|2023-11-27|lost 2024-01-19 价格异议
博学教育科技有限公司|教育|线上广告|小王|2023-12-04|won 2024-01-26
嘉禾餐饮管理有限公司|零售|电话营销|小陈|2023-12-06|lost 2024-01-30 需求不明确
金石投资咨询有限公司|金融|官网|小陈|2023-12-07|cold
瑞康医疗器械股份有限公司|医疗|展会推荐|小李|2023-12-11|won 2024-02-06
海川港口物流有限公司|物流|展会推荐|小王|2023-12-13|paused 2024-02-16
宏图建设集团|制造业|展会推荐|小李|2023-12-15|stale 2024-02-09
星河文化传媒有限公司|文化传媒|转介绍|小张|2023-12-18|won 2024-02-21
明德职业培训学校|教育|官网|小王|2023-12-20|lost 2024-02-09 预算不足
翰墨文化艺术有限公司|文化传媒|展会推荐|小李|2023-12-27|cold
迅捷电商有限公司|零售|线上广告|小张|2024-01-03|cold
汇通供应链管理有限公司|物流|官网|小陈|2024-01-05|won 2024-02-27
长风资本管理有限公司|金融|展会推荐|小张|2024-01-08|lost 2024-02-26 选择竞品
天工机械股份有限公司|制造业|电话营销|小王|2024-01-10|won 2024-02-15
锦绣服饰集团|零售|其他|小李|2024-01-11|paused 2024-02-29
众诚软件有限公司|互联网|官网|小陈|2024-01-12|stale 2024-02-27
华信物流有限公司|物流|展会推荐|小陈|2024-01-15|hot 2024-04-08
百川化工股份有限公司|制造业|其他|小陈|2024-01-16|lost 2024-03-04 选择竞品
启明星教育科技有限公司|教育|电话营销|小张|2024-01-18|hot 2024-04-03
云帆网络科技有限公司|互联网|官网|小李|2024-01-22|won 2024-03-12
悦动体育用品有限公司|零售|线上广告|小王|2024-01-24|lost 2024-03-13 价格异议
融汇财富管理有限公司|金融|展会推荐|小张|2024-01-25|warm 2024-05-20
华美百货集团|零售|线上广告|小张|2024-01-29|won 2024-03-20
利华纺织股份有限公司|制造业|电话营销|小王|2024-01-30|stale 2024-03-04
蓝海教育咨询有限公司|教育|线上广告|小张|2024-01-31|paused 2024-03-08
盛世传媒集团|文化传媒|转介绍|小王|2024-02-01|hot 2024-04-05
中科信息技术股份有限公司|互联网|转介绍|小陈|2024-02-02|won 2024-03-05
福润家居有限公司|零售|电话营销|小王|2024-02-05|cold
青禾农业科技有限公司|其他|电话营销|小李|2024-02-07|lost 2024-03-21 其他
博远教育科技有限公司|教育|官网|小王|2024-02-08|warm 2024-04-30
美途旅游服务有限公司|其他|线上广告|小张|2024-02-09|stale 2024-02-23
德润健康管理有限公司|医疗|转介绍|小张|2024-02-12|lost 2024-03-28 预算不足
恒信保险经纪有限公司|金融|展会推荐|小李|2024-02-14|won 2024-03-27
捷达快运有限公司|物流|电话营销|小陈|2024-02-15|warm 2024-06-10
科技有限公司|互联网|展会推荐|小王|2024-02-19|won 2024-03-10
安信检测技术有限公司|其他|转介绍|小陈|2024-02-19|due 2024-03-12 2024-03-15
和信数字金融有限公司|金融|官网|小李|2024-02-20|hot 2024-04-10
清泉乳品有限公司|零售|其他|小李|2024-02-21|warm 2024-06-15
YY贸易集团|制造业|线上广告|小李|2024-02-26|warm 2024-05-15
万通建材股份有限公司|制造业|其他|小陈|2024-02-26|hot 2024-04-12
恒源电力设备有限公司|制造业|官网|小李|2024-02-28|due 2024-03-13 2024-03-15
智联人力资源有限公司|其他|转介绍|小王|2024-03-01|warm 2024-04-26
绿源食品股份有限公司|零售|线上广告|小李|2024-03-04|warm 2024-05-31
鸿运汽车服务有限公司|其他|电话营销|小李|2024-03-05|new
华信物流集团|物流|电话营销|小张|2024-03-06|cold
泰和医院管理集团|医疗|官网|小张|2024-03-07|warm 2024-06-28 2024-04-01
永安精工制造有限公司|制造业|展会推荐|小陈|2024-03-11|warm 2024-05-10 2024-04-01
新锐广告传媒有限公司|文化传媒|线上广告|小王|2024-03-12|cold
卓越咨询管理有限公司|其他|转介绍|小陈|2024-03-14|warm 2024-05-30
海纳云计算有限公司|互联网|线上广告|小张|2024-03-18|warm 2024-06-20
星辰智能科技有限公司|互联网|官网|小王|2024-03-22|new
安泰安防科技有限公司|其他|展会推荐|小陈|2024-03-25|new
东方电子集团|制造业|转介绍|小王|2023-04-12|repeat 2023-05-30 2024-02-23
新华书城连锁有限公司|零售|官网|小陈|2023-06-05|repeat 2023-07-20 2024-03-18
康泰医药股份有限公司|医疗|展会推荐|小张|2023-08-14|repeat 2023-09-28 2024-01-15
"""

# fixed facts of particular customers (the toolkit's verbatim, the deliberate mistakes, the story)
FIXED: dict[str, dict[str, Any]] = {
    "科技有限公司": {"contact": "*总", "title": "总经理", "phone": None, "need": "企业级CRM系统采购",
                   "budget": "50-80万", "decision_maker": None, "notes": "注重数据安全性", "tags": None,
                   "nps": None},
    "YY贸易集团": {"contact": "*经理", "title": "采购经理", "phone": "1395678", "need": "供应链管理软件",
                 "budget": "30-50万", "decision_maker": "*总监", "notes": "决策流程较长,需多部门确认",
                 "tags": "决策链长", "need_clarity": "初步", "budget_status": "明确", "decision_chain": "长"},
    "华信物流有限公司": {"contact": "刘经理", "title": "运营经理", "phone": "021-58761234"},
    "华信物流集团": {"contact": "刘经理", "title": "运营经理", "phone": "021-5876 1234",
                 "notes": "电话营销线索，客户提到在比较几家供应商"},
    "瑞康医疗器械股份有限公司": {"phone": "zhouli@ruikang-med", "contact": "周经理", "title": "采购经理"},
    "新锐广告传媒有限公司": {"contact": None, "title": None, "notes": "官网留言，联系人待补充"},
    "鼎盛精密制造有限公司": {"nps": -30, "tags": "重点客户"},
    "天工机械股份有限公司": {"nps": -20, "tags": "价格敏感"},
    "康泰医药股份有限公司": {"nps": -10, "tags": "增购意向、价格敏感"},
    "东方电子集团": {"nps": 70, "tags": "复购意向、重点客户", "tier_override": "A"},
    "新华书城连锁有限公司": {"nps": 40, "tags": "增购意向"},
    "海川港口物流有限公司": {"tier_override": "C", "notes": "港口扩建项目延期至下半年，暂停跟进"},
    "优品零售连锁有限公司": {"nps": None},
    "盛世传媒集团": {"tags": "竞品对比中"},
}
LATE_ENTRY = {"天工机械股份有限公司": 3, "盛世传媒集团": 2, "泰和医院管理集团": 4}  # days late
COVERED_BY = {  # (customer, nth follow-up) logged by a colleague
    ("融汇财富管理有限公司", 2): "小陈", ("华美百货集团", 1): "小王", ("捷达快运有限公司", 3): "小李",
    ("瑞康医疗器械股份有限公司", 2): "小张", ("宏图建设集团", 1): "小王",
}
OVER_CONTACT = {"盛世传媒集团": D("2024-03-14"), "和信数字金融有限公司": D("2024-03-30")}
NO_CHECK_IN = {"恒信保险经纪有限公司"}  # won, thank-you sent, check-in call not made
LATE_CHECK_IN = {"云帆网络科技有限公司": D("2024-03-18")}  # check-in due 03-15, made on 03-18
SURVEY = {"鼎盛精密制造有限公司": D("2024-03-20"), "金瑞矿业设备有限公司": D("2024-03-26"),
          "安达物流集团": D("2024-03-28")}  # quarterly surveys done (优品零售's is missing)
FUTURE_TYPO = ("博远教育科技有限公司", D("2024-03-05"), D("2024-05-03"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
ROLES = [("总", ["总经理", "副总经理", "董事长", "CEO"]), ("经理", ["采购经理", "IT经理", "运营经理", "行政经理"]),
         ("总监", ["IT总监", "信息总监", "销售总监", "财务总监"]), ("主任", ["信息中心主任", "办公室主任"]),
         ("工", ["技术负责人", "系统架构师"])]
NEEDS = {
    "互联网": ["销售管理SaaS", "客户数据平台", "企业级CRM系统采购", "客服工单系统"],
    "制造业": ["供应链管理软件", "经销商管理系统", "企业级CRM系统采购", "售后服务管理系统"],
    "零售": ["会员营销系统", "门店销售管理", "客户数据平台", "供应链管理软件"],
    "金融": ["客户关系管理系统", "理财顾问移动展业", "合规客户数据管理"],
    "医疗": ["医药代表拜访管理", "经销商管理系统", "客户关系管理系统"],
    "教育": ["招生线索管理", "学员服务CRM", "销售管理SaaS"],
    "物流": ["运输管理系统对接CRM", "大客户管理系统", "供应链管理软件"],
    "文化传媒": ["广告客户管理", "项目制销售管理", "销售管理SaaS"],
    "其他": ["销售管理SaaS", "客户关系管理系统", "移动销售App"],
}
PRODUCTS = {"企业级CRM系统采购": "企业级CRM系统", "供应链管理软件": "供应链管理软件"}
FACTORS = ["同行案例打动决策层", "试用反馈好，上线周期短", "价格优惠+分期付款", "与现有ERP无缝集成",
           "本地化实施团队响应快", "数据安全方案通过IT评审", "移动端体验好"]
REFERRAL_FACTOR = "老客户转介绍，信任度高"
BUDGETS = ["10-20万", "20-30万", "30-50万", "50-80万", "80-120万", "20-30w", "¥150,000-250,000", "40万"]
NOTES = {
    "hot": ["老板亲自推动，希望尽快上线", "已完成试用，评价很好", "预算已批，等合同流程"],
    "warm": ["需要和现有ERP对接", "多部门参与评估", "对价格比较敏感", "正在做内部需求调研"],
    "cold": ["目前用Excel管理，暂无预算", "下半年可能有计划", "展会上留的名片"],
    "stale": ["上次沟通后一直没有回复", "联系人出差较多"],
    "due": ["等待客户内部评估结果", "客户要求下周再沟通"],
    "new": ["刚加微信，尚未深入沟通", "官网表单留资"],
    "paused": ["客户项目搁置至下半年", "组织架构调整，暂停采购"],
    "won": ["合同已签，实施中", "已上线，使用情况良好"],
    "repeat": ["老客户，合作稳定", "去年采购过，计划扩容"],
    "lost": ["已记录流失原因", "半年后再回访"],
}
TAGS = {"warm": ["竞品对比中", "价格敏感", "决策链长"], "stale": ["决策链长", "价格敏感"], "lost": ["价格敏感"],
        "hot": ["重点客户"], "cold": [], "due": ["竞品对比中"], "new": [], "paused": ["决策链长"],
        "won": ["增购意向"], "repeat": ["复购意向"]}

# follow-up texts: (content, feedback, next action, methods)
Touch = tuple[str, str, str, tuple[str, ...]]
INTRO: dict[str, Touch] = {
    "展会推荐": ("展会现场交流，交换名片", "对产品演示感兴趣", "会后电话回访", ("拜访",)),
    "转介绍": ("经老客户介绍，电话初次沟通", "听说过我们的案例，愿意进一步了解", "发送公司介绍和案例", ("电话",)),
    "线上广告": ("广告线索回访，初步了解需求", "正在了解几家产品", "发送产品手册", ("电话",)),
    "官网": ("官网留资回访", "希望先看看产品演示", "约线上演示时间", ("电话", "微信")),
    "电话营销": ("电话营销首次接通，介绍产品", "有一定兴趣，让先发资料", "添加微信发送资料", ("电话",)),
    "其他": ("初次沟通，了解业务现状", "目前用Excel管理客户，效率低", "发送公司介绍和产品手册", ("电话",)),
}
PRESALE: list[list[Touch]] = [
    [("初次电话沟通，了解业务现状", "目前用Excel管理客户，效率低", "发送公司介绍和产品手册", ("电话",)),
     ("添加微信，发送产品介绍", "客户表示会先内部看看", "约时间做需求调研", ("微信",)),
     ("发送公司介绍和同行案例", "已转给部门负责人", "约需求沟通时间", ("邮件", "微信"))],
    [("需求调研：梳理销售流程和痛点", "希望统一管理客户和跟进记录", "整理需求清单发给客户确认", ("电话", "拜访")),
     ("上门拜访，了解团队规模和使用场景", "销售团队约30人，管理层关注报表", "准备演示环境", ("拜访",)),
     ("确认需求清单", "补充了审批流程和权限要求", "安排产品演示", ("微信", "电话"))],
    [("线上演示系统核心模块", "对报表和移动端很感兴趣", "开通试用账号", ("视频会议",)),
     ("开通试用账号并远程培训", "试用顺利，提出两个定制问题", "安排技术交流", ("视频会议", "电话")),
     ("上门演示并答疑", "业务部门认可，IT关注部署方式", "提供部署方案", ("拜访",))],
    [("与IT部门技术交流，讨论数据迁移", "关注与现有ERP的接口", "提供接口文档", ("视频会议", "拜访")),
     ("发送接口文档和安全白皮书", "技术部在评估中", "跟进技术部反馈", ("邮件",)),
     ("跟进试用情况", "试用用户反馈操作简单", "准备方案和报价", ("电话", "微信"))],
    [("发送详细方案及报价", "认为报价偏高，希望有折扣", "内部申请优惠方案", ("邮件",)),
     ("电话沟通报价细节", "可以接受分期付款", "准备商务条款", ("电话",)),
     ("提交优惠方案", "采购部在比价", "跟进比价结果", ("邮件", "电话"))],
    [("商务谈判：确认付款方式和实施周期", "基本认可，走合同审批流程", "发送合同草稿", ("拜访", "电话")),
     ("发送合同草稿", "法务正在审核", "跟进法务意见", ("邮件", "微信")),
     ("确认合同修改意见", "只剩付款节点需要调整", "约签约时间", ("电话", "视频会议"))],
]
CLOSE_TOUCH: Touch = ("合同签署，确认实施计划", "已签约", "安排成交致谢和项目启动", ("拜访", "电话", "视频会议", "微信", "邮件"))
NURTURE: list[Touch] = [
    ("发送行业案例资料", "暂时没有采购计划", "下月再联系", ("微信", "邮件")),
    ("分享新版功能介绍", "客气回复，表示有需要再联系", "保持每月联系", ("微信", "其他")),
    ("邀请参加线上产品沙龙", "报名参加", "活动后回访", ("其他",)),
    ("电话了解近况", "今年重点在降本，CRM排在后面", "季度末再沟通", ("电话",)),
    ("节日问候", "客户回复感谢", "保持联系", ("微信",)),
]
STALE_TOUCH: Touch = ("电话未接通，微信留言", "", "改日再联系", ("电话", "微信"))
LOST_TOUCH = {
    "价格异议": ("沟通最终报价", "客户认为价格超出预期，决定不采购", "记录流失原因，半年后回访", ("电话",)),
    "需求不明确": ("回访需求进展", "客户内部需求还没想清楚，暂不推进", "季度后再了解", ("电话",)),
    "选择竞品": ("确认评估结果", "客户已选择其他供应商", "记录流失原因，了解竞品方案", ("电话", "微信")),
    "预算不足": ("确认预算审批结果", "预算未获批准，项目取消", "明年预算季再联系", ("电话",)),
    "其他": ("客户通知项目取消", "公司被收购，信息化项目全部暂停", "保持联系", ("微信",)),
}
PAUSE_TOUCH: Touch = ("客户通知项目暂停", "内部组织调整，下半年再议", "7月再联系", ("电话", "邮件"))
THANKS: Touch = ("成交致谢：发送感谢信和项目启动安排", "客户表示期待合作", "三天内回访电话", ("微信", "邮件"))
CHECK_IN: Touch = ("回访电话：确认账号开通和首周使用情况", "使用顺利，提出两个小问题", "一周内发送使用指南", ("电话",))
GUIDE: Touch = ("发送使用指南及价值报告", "已转发给业务部门", "季度满意度调研", ("邮件",))
SURVEY_TOUCH: Touch = ("季度满意度调研（NPS问卷）", "整体满意，希望增加报表功能", "反馈给产品团队", ("其他", "电话"))
BAD_SURVEY: Touch = ("季度满意度调研（NPS问卷）", "对实施进度不满意，抱怨响应慢", "安排实施经理上门沟通", ("其他",))
GREETING: Touch = ("春节问候，送上新春礼盒", "客户回复感谢", "节后回访使用情况", ("微信", "拜访"))
UPSELL: Touch = ("沟通增购用户授权", "计划扩展到销售二部", "准备增购报价", ("电话", "拜访"))

FOLLOWUPS_VERBATIM = [
    {"customer": "科技有限公司", "date": D("2024-03-01"), "method": "电话", "content": "介绍系统模块及案例",
     "feedback": "对数据加密功能感兴趣", "next_action": "3月3日发送详细方案", "owner": "小王"},
    {"customer": "YY贸易集团", "date": D("2024-03-02"), "method": None, "content": "发送行业解决方案白皮书",
     "feedback": "已转交技术部评估", "next_action": "3月6日跟进技术部反馈", "owner": "小李"},
]
TIERLOG_VERBATIM = [
    {"customer": "科技有限公司", "tier": "A", "reason": "需求明确,预算已审批", "date": D("2024-03-01"), "owner": "小王"},
    {"customer": "YY贸易集团", "tier": "B", "reason": "技术部评估中", "date": D("2024-03-02"), "owner": "小李"},
    {"customer": "ZZ文化传媒", "tier": "C", "reason": "暂无明确需求", "date": D("2024-03-01"), "owner": "小张"},
]
CONVERSIONS_VERBATIM = [
    {"customer": "科技有限公司", "date": D("2024-03-10"), "amount": "65万", "product": "企业级CRM系统",
     "key_factor": "数据安全功能匹配需求,案例说服力强", "owner": "小王"},
    {"customer": "AA生物制药", "date": D("2024-02-28"), "amount": "40万", "product": "供应链管理软件",
     "key_factor": "转介绍客户信任度高,价格优惠", "owner": "小李"},
]
# the toolkit customers' other follow-ups (theirs are the two verbatim rows above)
TOOLKIT_FOLLOWUPS: dict[str, list[tuple[str, str, str, str, str, str | None]]] = {
    # date time, method, content, feedback, next action, next date
    "科技有限公司": [
        ("2024-02-19 15:20", "拜访", "展会现场交流，了解CRM选型计划", "计划上半年上线，重视数据安全", "安排产品演示", "2024-02-22"),
        ("2024-02-22 10:00", "视频会议", "线上演示系统核心模块", "对权限管理和审计日志很感兴趣", "准备同行业案例", None),
        ("2024-03-03 16:40", "邮件", "发送详细方案及报价", "方案已转给财务和IT", "约商务谈判", "2024-03-06"),
        ("2024-03-06 14:00", "拜访", "商务谈判：确认付款方式和实施周期", "预算已审批，同意两期付款", "发送合同草稿", "2024-03-08"),
        ("2024-03-08 11:30", "邮件", "发送合同草稿", "法务已审核，约定3月10日签约", "准备签约", "2024-03-10"),
        ("2024-03-10 15:00", "拜访", "合同签署，确认实施计划", "已签约", "安排成交致谢和项目启动", None),
        ("2024-03-11 09:40", "微信", "成交致谢：发送感谢信和项目启动安排", "客户表示期待合作", "三天内回访电话", "2024-03-13"),
        ("2024-03-13 16:10", "电话", "回访电话：确认账号开通和首周使用情况", "管理员已开通账号", "一周内发送使用指南", "2024-03-17"),
        ("2024-03-17 10:30", "邮件", "发送使用指南及价值报告", "已转发给销售团队", "季度满意度调研", "2024-06-10"),
    ],
    "YY贸易集团": [
        ("2024-02-26 11:05", "电话", "线上广告线索回访，初步了解需求", "正在选型供应链管理软件", "发送解决方案白皮书", None),
        ("2024-03-06 15:30", "电话", "跟进技术部反馈", "技术部关注与现有ERP的接口", "安排技术交流", "2024-03-13"),
        ("2024-03-13 14:00", "视频会议", "与技术部、采购部线上技术交流", "技术上可行，需财务和总监确认预算", "发送详细方案及报价", "2024-03-20"),
        ("2024-03-20 17:15", "邮件", "发送详细方案及报价", "已提交多部门会签", "跟进会签进度", "2024-03-27"),
        ("2024-03-27 10:20", "电话", "跟进会签进度", "财务部已同意，等总监审批", "4月3日再确认", "2024-04-03"),
    ],
}


@dataclass
class Customer:
    """One planned customer: the plan line and everything derived from it."""

    name: str
    industry: str
    source: str
    owner: str
    first_contact: dt.date
    kind: str
    args: list[str]
    row: dict[str, Any] = field(default_factory=dict)
    touches: list[dict[str, Any]] = field(default_factory=list)
    tiers: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)


def plan() -> list[Customer]:
    out = []
    for line in PLAN.strip().splitlines():
        name, industry, source, owner, first, what = line.split("|")
        kind, *args = what.split()
        out.append(Customer(name, industry, source, owner, D(first), kind, args))
    return out


# --- generation ----------------------------------------------------------------------------------


class Generator:
    """Everything random, drawn from one seeded generator in a fixed order."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.phones: set[str] = set()

    def at(self, day: dt.date, first: int = 9, last: int = 18) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.rng.randint(first, last - 1), self.rng.choice(range(0, 60, 5))))

    def phone(self) -> str:
        while True:
            if self.rng.random() < 0.75:
                prefix = self.rng.choice(["138", "139", "136", "186", "158", "177", "135", "189", "150", "133"])
                rest = f"{self.rng.randint(0, 99_999_999):08d}"
                style = self.rng.random()
                text = (f"{prefix}{rest}" if style < 0.6 else
                        f"{prefix} {rest[:4]} {rest[4:]}" if style < 0.85 else f"{prefix}-{rest[:4]}-{rest[4:]}")
            else:
                area = self.rng.choice(["010", "021", "020", "0755", "0571", "025", "028", "027"])
                digits = 8 if len(area) == 3 or area in ("0755", "0571") else 8
                text = f"{area}-{self.rng.randint(2, 8)}{self.rng.randint(0, 10 ** (digits - 1) - 1):0{digits - 1}d}"
            key = "".join(ch for ch in text if ch.isdigit())
            if key not in self.phones:
                self.phones.add(key)
                return text

    def contact(self) -> tuple[str, str]:
        role, titles = self.rng.choice(ROLES)
        return self.rng.choice(SURNAMES) + role, self.rng.choice(titles)

    def touch(self, c: Customer, when: dt.datetime | dt.date, touch: Touch, next_date: dt.date | None = None,
              method: str | None = None) -> None:
        content, feedback, action, methods = touch
        c.touches.append({"customer": c.name, "date": when, "method": method or self.rng.choice(methods),
                          "content": content, "feedback": feedback or None, "next_action": action,
                          "next_date": next_date, "owner": c.owner})


def _days(a: dt.date, n: int) -> dt.date:
    return a + dt.timedelta(days=n)


def _schedule(g: Generator, start: dt.date, end: dt.date, gaps: tuple[int, int]) -> list[dt.date]:
    """Contact days from `start` to `end` (both included when possible), gaps drawn from `gaps`."""
    days = [start]
    while True:
        nxt = _days(days[-1], g.rng.randint(*gaps))
        if nxt >= end:
            break
        days.append(nxt)
    if end > days[-1]:
        days.append(end)
    return days


def _presale(g: Generator, c: Customer, days: list[dt.date], stages: int, last_next: dt.date | None,
             close: Touch | None = None, close_method: str | None = None) -> None:
    """Follow-ups on `days` moving through the first `stages` presale stages (and `close` on the last)."""
    for i, day in enumerate(days):
        last = i == len(days) - 1
        if last and close is not None:
            g.touch(c, g.at(day), close, None, close_method)
            continue
        end = days[-2] if close is not None and len(days) > 1 else days[-1]
        span = max((end - c.first_contact).days, 1)
        index = min(stages - 1, (day - c.first_contact).days * stages // span)
        touch = INTRO[c.source] if index == 0 and day == c.first_contact else g.rng.choice(PRESALE[index])
        nxt = last_next if last else (days[i + 1] if g.rng.random() < 0.65 else None)
        g.touch(c, g.at(day), touch, nxt)


def _start(c: Customer) -> dt.date:
    """The first follow-up on the sheet: the first contact, or early December for older customers."""
    return c.first_contact if c.first_contact >= FIRST_DAY else _days(FIRST_DAY, len(c.name) % 6)


def follow_ups(g: Generator, c: Customer) -> None:
    """The customer's follow-ups, after-sale steps included."""
    k, a = c.kind, c.args
    if c.name in TOOLKIT_FOLLOWUPS:
        for when, method, content, feedback, action, nxt in TOOLKIT_FOLLOWUPS[c.name]:
            g.touch(c, dt.datetime.fromisoformat(when), (content, feedback, action, (method,)),
                    D(nxt) if nxt else None, method)
        c.touches.extend(dict(r) for r in FOLLOWUPS_VERBATIM if r["customer"] == c.name)
        if k == "won":
            return
    elif k == "won":
        won = D(a[0])
        days = _schedule(g, _start(c), won, (7, 15))
        _presale(g, c, days, 6, None, CLOSE_TOUCH, g.rng.choice(CLOSE_TOUCH[3]))
    elif k == "repeat":
        second = D(a[1])
        days = _schedule(g, max(_days(second, -40), FIRST_DAY), second, (6, 12))
        for day in days[:-1]:
            g.touch(c, g.at(day), UPSELL, None)
        g.touch(c, g.at(days[-1]), CLOSE_TOUCH, None)
    elif k == "lost":
        lost = D(a[0])
        days = _schedule(g, _start(c), lost, (8, 15))
        _presale(g, c, days, 5, None, LOST_TOUCH[a[1]])
    elif k == "paused":
        days = _schedule(g, _start(c), D(a[0]), (7, 14))
        _presale(g, c, days, 4, None, PAUSE_TOUCH)
    elif k == "hot":
        start = _start(c)
        late = OVER_CONTACT.get(c.name, D("2024-03-01"))
        end = late if late > D("2024-03-19") else _days(D("2024-03-29"), g.rng.randint(0, 2))
        days = _schedule(g, start, D("2024-03-16"), (6, 11)) + _schedule(g, D("2024-03-19"), end, (2, 3))
        days = sorted(set(days) | ({OVER_CONTACT[c.name]} if c.name in OVER_CONTACT else set()))
        _presale(g, c, days, 6, _days(days[-1], 1))
        if c.name in OVER_CONTACT:
            day = OVER_CONTACT[c.name]
            g.touch(c, dt.datetime.combine(day, dt.time(17, 45)),
                    ("再次电话确认合同细节", "客户表示已经在走流程，请不要频繁催促", "等客户通知", ("电话",)))
    elif k == "warm":
        last = D("2024-03-31") - dt.timedelta(days=g.rng.randint(0, 5))
        days = _schedule(g, _start(c), last, (5, 10))
        if c.name == FUTURE_TYPO[0]:
            days = sorted(set(days) | {FUTURE_TYPO[1]})
        nxt = D(a[1]) if len(a) > 1 else _days(last, g.rng.randint(3, 6))
        _presale(g, c, days, 5, nxt)
    elif k == "due":
        days = _schedule(g, _start(c), D(a[0]), (3, 6))
        _presale(g, c, days, 3, D(a[1]))
    elif k == "stale":
        days = _schedule(g, _start(c), D(a[0]), (6, 11))
        _presale(g, c, days, 3, _days(D(a[0]), g.rng.randint(3, 6)))
        if g.rng.random() < 0.5:
            g.touch(c, g.at(_days(D(a[0]), -1)), STALE_TOUCH)
    elif k == "cold":
        start = _start(c)
        days = _schedule(g, start, D("2024-03-31"), (9, 21))
        if c.name == "金石投资咨询有限公司":  # tier C contacted three times in a week
            days = [d for d in days if d < D("2024-03-20")] + [D("2024-03-22"), D("2024-03-26"), D("2024-03-28")]
        if c.name == "华信物流集团":
            days = [D("2024-03-06")]
        for i, day in enumerate(days):
            touch = PRESALE[0][0] if i == 0 else g.rng.choice(NURTURE)
            nxt = _days(day, g.rng.choice([7, 14, 30])) if g.rng.random() < 0.6 else None
            g.touch(c, g.at(day), touch, nxt)
    if k in ("won", "repeat"):
        after_sale(g, c)


def after_sale(g: Generator, c: Customer) -> None:
    """Thank-you, check-in call, guide, holiday greeting and the quarterly survey after the last deal."""
    won = D(c.args[-1])
    g.touch(c, g.at(won if g.rng.random() < 0.5 else _days(won, 1), 16, 20), THANKS, _days(won, 3))
    if c.name not in NO_CHECK_IN:
        check = LATE_CHECK_IN.get(c.name, _days(won, g.rng.randint(2, 3)))
        if check <= LAST_DAY:
            g.touch(c, g.at(check), CHECK_IN, _days(won, 7))
            guide = _days(won, g.rng.randint(5, 7))
            if guide <= LAST_DAY and c.name not in LATE_CHECK_IN:
                g.touch(c, g.at(guide), GUIDE, None)
    if won < D("2024-02-08"):
        g.touch(c, g.at(D("2024-02-08")), GREETING)
    if c.name in SURVEY:
        bad = (c.row.get("nps") or 0) < 0
        g.touch(c, g.at(SURVEY[c.name]), BAD_SURVEY if bad else SURVEY_TOUCH)
    if c.kind == "repeat" and won < D("2024-03-01"):
        g.touch(c, g.at(D("2024-03-25")), UPSELL, D("2024-04-08"))


def customer_row(g: Generator, c: Customer) -> dict[str, Any]:
    k, a = c.kind, c.args
    rng = g.rng
    contact, title = g.contact()
    need = rng.choice(NEEDS[c.industry])
    entered = dt.datetime.combine(c.first_contact, dt.time(rng.randint(15, 20), rng.choice(range(0, 60, 5))))
    if c.name in LATE_ENTRY:
        entered += dt.timedelta(days=LATE_ENTRY[c.name])
    row: dict[str, Any] = {
        "customer": c.name, "industry": c.industry, "contact": contact, "title": title, "phone": g.phone(),
        "need": need, "budget": rng.choice(BUDGETS), "source": c.source,
        "decision_maker": rng.choice(SURNAMES) + "总" if rng.random() < 0.8 else None,
        "notes": rng.choice(NOTES[k]), "tags": None, "owner": c.owner, "first_contact": c.first_contact,
        "entered_on": entered, "verified_on": None, "need_clarity": None, "budget_status": None,
        "decision_chain": None, "expected_close": None, "status": "跟进中", "lost_reason": None, "lost_on": None,
        "nps": None, "tier_override": None,
    }
    tags = [t for t in TAGS[k] if rng.random() < 0.45]
    row["tags"] = "、".join(tags) or None
    if k in ("won", "repeat"):
        won = D(a[-1])
        row.update(status="已成交", need_clarity="明确", budget_status="已审批", decision_chain="短",
                   expected_close=won, verified_on=min(_days(won, rng.randint(0, 6)), LAST_DAY),
                   nps=rng.choice([30, 40, 50, 60, 70, 80]) if won < D("2024-03-01") else None)
    elif k == "lost":
        row.update(status="已流失", lost_reason=a[1], lost_on=D(a[0]), verified_on=_days(D(a[0]), -rng.randint(3, 12)),
                   need_clarity=rng.choice(["明确", "初步", "潜在"]), budget_status=rng.choice(["明确", "不明确"]),
                   decision_chain=rng.choice(["长", "未知", "短"]), expected_close=_days(D(a[0]), rng.randint(5, 30)))
    elif k == "paused":
        row.update(status="暂停", need_clarity="潜在", budget_status="不明确", decision_chain="长",
                   verified_on=D(a[0]), expected_close=rng.choice([None, D("2024-09-30")]))
    elif k == "hot":
        row.update(need_clarity="明确", budget_status=rng.choice(["已审批", "已审批", "明确"]), decision_chain="短",
                   expected_close=D(a[0]), verified_on=_days(D("2024-03-25"), rng.randint(0, 5)),
                   budget=rng.choice(["50-80万", "80-120万", "30-50万"]))
    elif k in ("warm", "due"):
        close = D(a[0]) if k == "warm" else _days(D("2024-04-01"), rng.randint(30, 80))
        row.update(need_clarity=rng.choice(["明确", "初步"]), budget_status=rng.choice(["明确", "不明确"]),
                   decision_chain=rng.choice(["长", "未知", "短"]), expected_close=close,
                   verified_on=_days(D("2024-03-25"), rng.randint(0, 6)) if k == "warm" else D(a[0]))
    elif k == "stale":
        row.update(need_clarity="初步", budget_status="不明确", decision_chain=rng.choice(["长", "未知"]),
                   expected_close=_days(D("2024-04-15"), rng.randint(0, 45)), verified_on=D(a[0]))
    elif k == "cold":
        row.update(need_clarity="潜在", budget_status="不明确", decision_chain="未知", budget=None,
                   verified_on=_days(D("2024-03-18"), rng.randint(0, 10)))
    elif k == "new":
        row.update(need_clarity=rng.choice(["初步", "潜在"]), budget_status="不明确", decision_chain="未知",
                   verified_on=c.first_contact, budget=rng.choice([None, "20-30万"]))
    row["verified_on"] = max(row["verified_on"], c.first_contact) if row["verified_on"] else None
    fixed = FIXED.get(c.name, {})
    row.update(fixed)
    return row


def deals(g: Generator, c: Customer) -> None:
    """Conversion rows of a won customer (two for the repeat accounts); amounts within the budget."""
    from ..model.parse import parse_budget

    budget = parse_budget(c.row.get("budget")) or (200_000.0, 500_000.0)
    for i, when in enumerate(c.args):
        low, high = budget
        amount = g.rng.randint(int(low // 10_000), max(int(high // 10_000), int(low // 10_000)))
        if i == 1 and c.kind == "repeat":  # the repurchase: more licences
            amount = max(8, amount // 3)
        style = g.rng.random()
        text: Any = (f"{amount}万" if style < 0.6 else amount * 10_000 if style < 0.85 else f"¥{amount * 10_000:,}")
        product = PRODUCTS.get(c.row["need"], c.row["need"].replace("采购", ""))
        if c.kind == "repeat" and i == 1:
            product, factor = "增购用户授权", "老客户复购，使用效果好"
        elif c.source == "转介绍" and g.rng.random() < 0.7:
            factor = REFERRAL_FACTOR
        else:
            factor = g.rng.choice(FACTORS)
        c.deals.append({"customer": c.name, "date": D(when), "amount": text, "product": product,
                        "key_factor": factor, "owner": c.owner})


def tier_history(g: Generator, c: Customer) -> None:
    """The tier-log rows the team typed for this customer over the months."""
    k, a, first = c.kind, c.args, c.first_contact

    def log(day: dt.date, tier: str, reason: str) -> None:
        if D("2023-11-01") <= day <= LAST_DAY:
            c.tiers.append({"customer": c.name, "tier": tier, "reason": reason, "date": day, "owner": c.owner})

    if c.name == "科技有限公司":
        log(first, "B", "展会推荐，需求初步明确")
        return
    if c.name == "YY贸易集团":
        log(first, "C", "线上广告线索，需求待确认")
        return
    entry = _days(first, g.rng.randint(0, 2))
    if k == "won":
        if g.rng.random() < 0.6:
            log(entry, "B", "首次接触，有明确需求")
        else:
            log(entry, "C", "首次接触，需求待确认")
        log(_days(D(a[0]), -g.rng.randint(4, 10)), "A", "需求明确,预算已审批,进入合同阶段")
    elif k == "repeat":
        log(_days(D(a[1]), -30), "A", "老客户复购意向，升级为A")
    elif k == "lost":
        log(entry, "B", "有明确需求，预算待确认")
        log(D(a[0]), "C", f"客户流失：{a[1]}")
    elif k == "paused":
        log(entry, "B", "需求初步明确")
        log(D(a[0]), "C", "项目暂停，降级培育")
    elif k == "hot":
        log(entry, "B", "需求明确，预算审批中")
        log(_days(D("2024-03-16"), g.rng.randint(0, 10)), "A", "需求明确,预算已审批,决策链短,预计两周内成交")
    elif k in ("warm", "due", "stale"):
        if g.rng.random() < 0.4:
            log(entry, "C", "初次接触，需求待确认")
            log(_days(entry, g.rng.randint(7, 20)), "B", "需求明确，预计一季度内成交")
        else:
            log(entry, "B", "有明确需求，预算待定")
    elif k == "cold" and c.name != "华信物流集团":
        log(entry, "C", "暂无明确需求")


def generate() -> dict[str, list[dict[str, Any]]]:
    """The sample's rows in zh-Hans, by sheet key, with canonical column keys."""
    g = Generator()
    customers = plan()
    for c in customers:
        c.row = customer_row(g, c)
    for c in customers:
        follow_ups(g, c)
        if c.kind in ("won", "repeat") and c.name != "科技有限公司":
            deals(g, c)
        tier_history(g, c)
    for c in customers:  # won accounts are re-verified at each after-sale contact
        if c.kind in ("won", "repeat") and c.touches:
            latest = max(_as_date(t["date"]) for t in c.touches)
            c.row["verified_on"] = max(c.row["verified_on"] or latest, latest)
    for (name, nth), colleague in COVERED_BY.items():
        c = next(x for x in customers if x.name == name)
        c.touches[nth]["owner"] = colleague
    typo_name, was, typed = FUTURE_TYPO
    for t in next(x for x in customers if x.name == typo_name).touches:
        if _as_date(t["date"]) == was:
            t["date"] = dt.datetime.combine(typed, t["date"].time())
            break
    else:
        raise AssertionError("the future-date typo needs a follow-up on " + str(was))
    follow = [t for c in customers for t in c.touches]
    tiers = [t for c in customers for t in c.tiers] + [dict(r) for r in TIERLOG_VERBATIM]
    convs = [d for c in customers for d in c.deals] + [dict(r) for r in CONVERSIONS_VERBATIM]
    rows = sorted((c.row for c in customers), key=lambda r: r["entered_on"])
    return {
        "customers": rows,
        "followups": sorted(follow, key=lambda r: _as_datetime(r["date"])),
        "tierlog": sorted(tiers, key=lambda r: r["date"]),
        "conversions": sorted(convs, key=lambda r: r["date"]),
    }


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time(0))


# --- languages -----------------------------------------------------------------------------------


def localise(rows: dict[str, list[dict[str, Any]]], lang: Lang) -> dict[str, list[dict[str, Any]]]:
    """The rows with list items and enumerations in `lang`; free text in traditional script for zh-Hant."""
    if lang == "zh-Hans":
        return rows
    out: dict[str, list[dict[str, Any]]] = {}
    for key, records in rows.items():
        sheet = SHEETS[key]
        out[key] = [{k: _localise_value(sheet.column(k).kind, sheet.column(k).list, sheet.column(k).enum, v, lang)
                     for k, v in r.items()} for r in records]
    return out


def _localise_value(kind: Kind, list_name: str | None, enum: str | None, value: Any, lang: Lang) -> Any:
    if not isinstance(value, str):
        return value
    if kind == Kind.CHOICE and enum:
        code = ENUMS[enum].parse(value)
        return ENUMS[enum].label(code, lang) if code else value
    if kind == Kind.TAGS:
        sep = "、" if lang != "en" else ", "
        return sep.join(_localise_item("tags", t, lang) for t in value.split("、"))
    if kind == Kind.LIST and list_name:
        return _localise_item(list_name, value, lang)
    return to_hant(value) if lang == "zh-Hant" else value


def _localise_item(list_name: str, value: str, lang: Lang) -> str:
    items = DEFAULT_LISTS.get(list_name, {}).get("zh-Hans", [])
    if value in items:
        return DEFAULT_LISTS[list_name][lang][items.index(value)]
    return to_hant(value) if lang == "zh-Hant" else value


_CACHE: dict[str, dict[str, list[dict[str, Any]]]] = {}


def data(lang: Lang = "zh-Hans") -> dict[str, list[dict[str, Any]]]:
    """The sample rows for a workbook in `lang` (sheet key → rows with canonical keys)."""
    if "zh-Hans" not in _CACHE:
        _CACHE["zh-Hans"] = generate()
    if lang not in _CACHE:
        _CACHE[lang] = localise(_CACHE["zh-Hans"], lang)
    return {k: [dict(r) for r in v] for k, v in _CACHE[lang].items()}


def owners(lang: Lang = "zh-Hans") -> list[str]:
    return [to_hant(o) for o in OWNERS] if lang == "zh-Hant" else list(OWNERS)


def settings(lang: Lang = "zh-Hans") -> Settings:
    """The sample team's Settings: the defaults with the owners list filled (today left blank)."""
    return Settings.defaults(lang).model_copy(update={"owners": owners(lang)})
