"""Every word the report shows, in English and Chinese: sheet names, column headers, section titles, sentences.

One table per kind of text, each entry a pair (English, 中文), so a test can check that nothing is left
untranslated and both reports come from the same keys. Each table is registered in the one catalogue of
symbiosis.core.i18n (namespaces "report" for the sentences, "report.sheet", "report.col", "report.mode", ... for
the others); `t`, `sheet`, `col` and `word` render from there. Material and category names are not here: they come
from the taxonomy (datasets/materials.csv name_zh/name_en) through flows.labels.
"""

from __future__ import annotations

import math
from typing import Any

from symbiosis.core import i18n
from symbiosis.core.i18n import Lang, MessageTable, register
from symbiosis.core.i18n import number as number

LANGS: tuple[Lang, ...] = ("zh", "en")  # the order the report writes its two languages in

# --- sheet names (Excel allows 31 characters) and their CSV file stems --------------------------------------------
SHEETS = register("report.sheet", {
    "summary": ("Summary", "摘要"),
    "links": ("Links", "共生链接"),
    "accounting": ("Link accounting", "链接减排核算"),
    "economics": ("Link economics", "链接经济性"),
    "economic_rows": ("Economic defaults used", "所用经济参数"),
    "indicators": ("Indicators", "园区指标"),
    "indicator_rows": ("Indicator data rows", "指标数据来源"),
    "balances": ("Balances", "物料平衡"),
    "unmatched": ("Unmatched streams", "未匹配物料流"),
    "factors": ("Emission factors", "排放因子"),
    "network": ("Network", "共生网络指标"),
    "warnings": ("Data quality", "数据质量警告"),
    "solver": ("Solver", "求解信息"),
    "settings": ("Settings", "计算参数"),
    "enterprises": ("Enterprises", "企业"),
    "streams": ("Streams", "物料流"),
    "exchanges": ("Exchanges", "现有交换"),
})
SHEET_ORDER: tuple[str, ...] = tuple(SHEETS)

# --- column headers -----------------------------------------------------------------------------------------------
COLUMNS = register("report.col", {
    # summary / solver / settings: two-column tables
    "item": ("Item", "项目"),
    "value": ("Value", "数值"),
    "unit": ("Unit", "单位"),
    "setting": ("Setting", "参数"),
    # links
    "rank": ("Rank", "排序"),
    "link_id": ("Link id", "链接编号"),
    "supplier_id": ("Supplier id", "供方编号"),
    "supplier_name": ("Supplier", "供方企业"),
    "receiver_id": ("Receiver id", "需方编号"),
    "receiver_name": ("Receiver", "需方企业"),
    "supplier_stream_id": ("Supplier stream", "供方物料流编号"),
    "receiver_stream_id": ("Receiver stream", "需方物料流编号"),
    "material_out": ("Output material", "供方产出物料"),
    "material_in": ("Replaced input", "被替代的投入"),
    "category": ("Category", "类别"),
    "quantity": ("Quantity", "数量"),
    "quantity_in": ("Quantity replaced", "替代数量"),
    "unit_in": ("Unit replaced", "替代单位"),
    "distance_km": ("Distance (km)", "距离（km）"),
    "mode": ("Mode", "输送方式"),
    "mode_reach_km": ("Reach of the mode (km)", "该方式运距上限（km）"),
    "temperature_supply_c": ("Supply temperature (°C)", "供热温度（°C）"),
    "temperature_sink_c": ("Sink temperature (°C)", "热阱温度（°C）"),
    "avoided_scope1_tco2e": ("Avoided Scope 1 (tCO2e/a)", "避免范围一排放（tCO2e/a）"),
    "avoided_scope2_tco2e": ("Avoided Scope 2 (tCO2e/a)", "避免范围二排放（tCO2e/a）"),
    "avoided_scope3_cat1_tco2e": ("Avoided Scope 3 cat. 1 (tCO2e/a)", "避免范围三类别1排放（tCO2e/a）"),
    "avoided_scope3_cat5_tco2e": ("Avoided Scope 3 cat. 5 (tCO2e/a)", "避免范围三类别5排放（tCO2e/a）"),
    "avoided_scope3_tco2e": ("Avoided Scope 3 (tCO2e/a)", "避免范围三排放（tCO2e/a）"),
    "added_transport_tco2e": ("Added transport (tCO2e/a)", "新增运输排放（tCO2e/a）"),
    "added_energy_tco2e": ("Added pumping/pre-treatment (tCO2e/a)", "新增泵送与预处理排放（tCO2e/a）"),
    "added_combustion_tco2e": ("Added combustion (tCO2e/a)", "新增燃烧排放（tCO2e/a）"),
    "added_construction_tco2e": ("Added construction (tCO2e/a)", "新增建设隐含排放（tCO2e/a）"),
    "added_displaced_tco2e": ("Buyer's replacement of a sold output (tCO2e/a)", "原买方替代外售产出的排放（tCO2e/a）"),
    "added_tco2e": ("Added, total (tCO2e/a)", "新增排放合计（tCO2e/a）"),
    "net_tco2e": ("Net avoided (tCO2e/a)", "净减排量（tCO2e/a）"),
    "net_interval": ("Net avoided, median [5 %–95 %] (tCO2e/a)", "净减排量 中位数 [5%–95%]（tCO2e/a）"),
    "net_median": ("Net avoided, median (tCO2e/a)", "净减排量中位数（tCO2e/a）"),
    "net_p5": ("Net avoided, 5 % (tCO2e/a)", "净减排量 5% 分位（tCO2e/a）"),
    "net_p95": ("Net avoided, 95 % (tCO2e/a)", "净减排量 95% 分位（tCO2e/a）"),
    "p_net_positive": ("P(net > 0)", "净减排为正的概率"),
    "annual_cost_cny": ("Annual net cost (CNY/a)", "年净成本（元/年）"),
    "cost_per_tco2e": ("Cost per tCO2e (CNY)", "单位减排成本（元/tCO2e）"),
    "scope1_owner": ("Scope 1 owner", "范围一归属企业"),
    "scope2_owner": ("Scope 2 owner", "范围二归属企业"),
    "scope3_owner": ("Scope 3 owner", "范围三归属企业"),
    "rule_id": ("Substitution rule", "替代规则"),
    "hazardous_code": ("Hazardous-waste code", "危废代码"),
    "forced": ("Forced by the user", "用户强制"),
    "factor_ids": ("Emission factors used", "所用排放因子"),
    "notes": ("Notes", "说明"),
    # accounting lines
    "accounting_item": ("Accounting item", "核算项"),
    "scope": ("Scope", "范围"),
    "enterprise_id": ("Enterprise id", "企业编号"),
    "enterprise_name": ("Enterprise", "企业"),
    "tco2e": ("tCO2e/a", "排放量（tCO2e/a）"),
    # indicators
    "indicator_id": ("Indicator id", "指标编号"),
    "indicator": ("Indicator", "指标"),
    "framework": ("Framework", "依据文件"),
    "value_before": ("Today", "现状值"),
    "passed_before": ("Passes today", "现状是否达标"),
    "value_after": ("With the plan", "方案实施后"),
    "passed_after": ("Passes with the plan", "方案后是否达标"),
    "change": ("Change", "变化"),
    "threshold": ("Threshold", "阈值"),
    "direction": ("Direction", "方向"),
    "threshold_condition": ("Threshold applies where", "阈值适用条件"),
    "threshold_source": ("Source of the threshold", "阈值来源"),
    "reliability": ("Reliability", "可靠性等级"),
    "numerator_before": ("Numerator today", "现状分子"),
    "denominator_before": ("Denominator today", "现状分母"),
    "numerator_after": ("Numerator with the plan", "方案后分子"),
    "denominator_after": ("Denominator with the plan", "方案后分母"),
    "rows_before": ("Ledger rows today (count)", "现状数据行数"),
    "rows_after": ("Ledger rows with the plan (count)", "方案后数据行数"),
    "note": ("Note", "备注"),
    "convention": ("How it is counted", "统计口径"),
    "state": ("Today or with the plan", "现状或方案后"),
    "row_id": ("Ledger row (stream, exchange or link id)", "数据行（物料流、交换或链接编号）"),
    # balances
    "level": ("Level", "层级"),
    "key": ("Dimension or category", "维度或类别"),
    "name": ("Name", "名称"),
    "inflow": ("In", "投入"),
    "outflow": ("Out", "产出"),
    "gap": ("Gap (in − out)", "差额（投入−产出）"),
    "relative_gap": ("Relative gap", "相对差额"),
    "tolerance": ("Tolerance", "容差"),
    "status": ("Status", "状态"),
    "flagged": ("Flagged", "需核查"),
    # unmatched
    "stream_id": ("Stream id", "物料流编号"),
    "material": ("Material", "物料"),
    "matched": ("Matched", "已匹配"),
    "unmatched": ("Left unmatched", "未匹配"),
    "reason": ("Reason code", "原因代码"),
    "reason_text": ("Why", "原因"),
    "partner_id": ("Nearest partner", "最近的可能伙伴"),
    "reach_km": ("Reach (km)", "运距上限（km）"),
    "competitor_link": ("Competing link", "竞争链接"),
    "competitor_quantity": ("Competing quantity", "竞争链接数量"),
    # factors
    "factor_id": ("Factor id", "因子编号"),
    "factor_name": ("Factor", "因子名称"),
    "scope_role": ("Role", "用途"),
    "applies_to": ("Applies to", "适用对象"),
    "region": ("Region", "区域"),
    "year": ("Year", "年份"),
    "source": ("Source", "来源"),
    "tag": ("Reliability tag", "可靠性标签"),
    "overridden": ("Overridden by the park or scenario", "被园区或情景覆盖"),
    "used_by": ("Used by", "用于"),
    "found": ("In datasets/emission_factors.csv", "见于 datasets/emission_factors.csv"),
    # network
    "metric": ("Metric", "指标"),
    "definition": ("Definition", "定义"),
    # warnings
    "origin": ("Found by", "发现环节"),
    "severity": ("Severity", "级别"),
    "file": ("File", "文件"),
    "row": ("Row", "行"),
    "column": ("Column", "列"),
    "ref": ("Reference", "引用"),
    "message": ("Message", "说明"),
    "accepted": ("Accepted", "可接受"),
    # ledger extras
    "quantity_canonical": ("Quantity, canonical unit", "折算数量（标准单位）"),
    "unit_canonical": ("Canonical unit", "标准单位"),
    "source_file": ("Source file", "来源文件"),
    "source_row": ("Source row", "来源行"),
    # link economics and the MACC (symbiosis.core.economics, docs/economics.md)
    "macc_order": ("Place on the MACC", "在减排成本曲线上的次序"),
    "materials": ("Material → replaced input", "物料 → 被替代的投入"),
    "abatement_cost_cny_per_tco2e": ("Abatement cost (CNY/tCO2e)", "减排成本（元/tCO2e）"),
    "capex_cny": ("Investment, CAPEX (CNY)", "投资 CAPEX（元）"),
    "opex_cny": ("Operating cost (CNY/a)", "运行成本（元/年）"),
    "savings_cny": ("Savings and earnings (CNY/a)", "节省与收益（元/年）"),
    "annual_net_cost_cny": ("Annual net cost with CAPEX annualised (CNY/a)", "年净成本，含年化投资（元/年）"),
    "npv_cny": ("Net present value (CNY)", "净现值（元）"),
    "payback_years": ("Simple payback (a)", "静态投资回收期（年）"),
    "payer": ("Who pays", "承担成本方"),
    "gainer": ("Who gains", "获益方"),
    "transfer_price": ("Transfer price, receiver to supplier", "结算价格（需方付供方）"),
    "transfer_price_min": ("Lowest transfer price (CNY per unit)", "结算价格下限（元/单位）"),
    "transfer_price_max": ("Highest transfer price (CNY per unit)", "结算价格上限（元/单位）"),
    "transfer_unit": ("Unit of the transfer price", "结算价格单位"),
    "placeholder_rows": ("Placeholder rows used (tag R)", "所用占位参数（R 级）"),
    "below_carbon_price": ("Pays for itself at the carbon price", "在碳价下可自负盈亏"),
    "x_from": ("MACC bar from (tCO2e/a, cumulative)", "曲线条起点（累计 tCO2e/a）"),
    "x_to": ("MACC bar to (tCO2e/a, cumulative)", "曲线条终点（累计 tCO2e/a）"),
    "purchase_price": ("Receiver's purchase price (CNY per unit)", "需方采购价格（元/单位）"),
    "purchase_price_source": ("Purchase price from", "采购价格来源"),
    "disposal_fee": ("Supplier's disposal fee (CNY per unit)", "供方处置费（元/单位）"),
    "disposal_fee_source": ("Disposal fee from", "处置费来源"),
    "supplier_annual_cny": ("Supplier's annual gain before transfer (CNY/a)", "供方年收益，结算前（元/年）"),
    "receiver_annual_cny": ("Receiver's annual gain before transfer (CNY/a)", "需方年收益，结算前（元/年）"),
    "annualised_capex_cny": ("Annualised CAPEX (CNY/a)", "年化投资（元/年）"),
    "param_ids": ("Economic rows used", "所用经济参数"),
    "param_id": ("Row id (datasets/economics.csv)", "参数编号（datasets/economics.csv）"),
    "basis": ("Size basis", "规模基准"),
})

# --- fixed vocabularies -------------------------------------------------------------------------------------------
STATUS_NAMES = register("report.status", {
    "optimal": ("optimal", "最优"),
    "feasible": ("feasible, not proven optimal", "可行（未证明最优）"),
    "time_limit": ("stopped at the time limit", "达到时间上限"),
    "infeasible": ("infeasible", "无可行解"),
    "error": ("solver error", "求解出错"),
    "not_solved": ("not solved", "未求解"),
    "empty": ("nothing to match", "无候选链接"),
})
MODE_NAMES = i18n.MODE_NAMES  # transport modes: one vocabulary for the report, the app and the matcher's reasons
DIRECTION_NAMES = register("report.direction", {
    "output": ("output", "产出"), "input": ("input", "投入"), "max": ("at most", "不高于"), "min": ("at least", "不低于"),
    "report": ("reported only", "仅报告"),
})
BALANCE_STATUS = register("report.balance_status", {
    "balanced": ("balanced", "平衡"), "in_exceeds_out": ("in exceeds out", "投入大于产出"),
    "out_exceeds_in": ("out exceeds in", "产出大于投入"),
})
LEVEL_NAMES = register("report.level", {"dimension": ("dimension", "维度"), "category": ("category", "类别")})
STATE_NAMES = register("report.state", {"before": ("today", "现状"), "after": ("with the plan", "方案实施后")})
SCOPE_NAMES = register("report.scope", {
    "scope1": ("Scope 1", "范围一"), "scope2": ("Scope 2", "范围二"), "scope3_cat1": ("Scope 3 cat. 1", "范围三类别1"),
    "scope3_cat4": ("Scope 3 cat. 4", "范围三类别4"), "scope3_cat5": ("Scope 3 cat. 5", "范围三类别5"),
    "displaced_use": ("outside the park: a sold output's buyer", "园区外：外售产出的原买方"),
})
ITEM_NAMES = register("report.item", {
    "avoided_scope1": ("avoided fuel combustion at the receiver", "需方避免的燃料燃烧"),
    "avoided_scope1_supplier": ("avoided flaring at the supplier", "供方避免的火炬燃烧"),
    "avoided_scope2": ("avoided purchased electricity or heat", "避免的外购电力或热力"),
    "avoided_scope3_cat1": ("avoided virgin material or tap water", "避免的原生物料或自来水"),
    "avoided_scope3_cat5": ("avoided disposal of the waste", "避免的废物处置"),
    "added_transport": ("added transport", "新增运输"),
    "added_energy": ("added pumping and pre-treatment electricity", "新增泵送与预处理用电"),
    "added_combustion": ("added combustion of the substitute fuel", "新增替代燃料燃烧"),
    "added_displaced": ("the buyer's replacement of an output sold today (reference scenario)",
                        "现状外售产出的原买方改用替代品（基准情景）"),
    "added_construction": ("added construction (embodied, annualised)", "新增建设隐含排放（年化）"),
})
ORIGIN_NAMES = register("report.origin", {
    "validation": ("validation of the ledger", "台账校验"),
    "metabolism_before": ("metabolism graph, today", "代谢流图（现状）"),
    "metabolism_after": ("metabolism graph, with the plan", "代谢流图（方案后）"),
    "assumption": ("assumption made for a blank cell", "空白单元格的默认假设"),
    "balance": ("balance check (out exceeds in)", "物料平衡核查（产出大于投入）"),
    "scenario": ("scenario file", "情景文件"),
})
SEVERITY_NAMES = register("report.severity", {"error": ("error", "错误"), "warning": ("warning", "警告"),
                                              "info": ("note", "提示")})
YES_NO = register("report.yes_no", {True: ("yes", "是"), False: ("no", "否")})
PASS_NAMES = register("report.pass", {"pass": ("pass", "达标"), "fail": ("FAIL", "未达标"),
                                          "none": ("not judged", "不评判")})
METRIC_NAMES = register("report.metric", {
    "enterprises": ("enterprises", "企业数"), "links": ("linked pairs", "共生企业对数"),
    "existing_links": ("pairs with an existing exchange", "现有交换企业对数"),
    "proposed_links": ("pairs with only proposed links", "仅有拟建链接的企业对数"),
    "chain_links": ("eco-industrial chain links (HJ 274)", "生态工业链项目数（HJ 274）"),
    "link_density": ("link density L/N", "链接密度 L/N"), "connectance": ("connectance", "连接度"),
    "connected_enterprises": ("enterprises with a link", "参与共生的企业数"),
    "components": ("separate sub-networks", "独立子网络数"),
    "finn_mass": ("Finn cycling index, mass", "Finn 循环指数（质量）"),
    "finn_water": ("Finn cycling index, water", "Finn 循环指数（水）"),
    "finn_energy": ("Finn cycling index, energy", "Finn 循环指数（能量）"),
    "finn_heat": ("Finn cycling index, heat", "Finn 循环指数（热）"),
})
SETTING_NAMES = register("report.setting", {
    "objective": ("objective", "优化目标"), "carbon_price": ("carbon price (CNY/tCO2e)", "碳价（元/tCO2e）"),
    "dt_min_k": ("ΔTmin (K)", "最小传热温差 ΔTmin（K）"), "reach_km": ("reach by mode (km)", "各输送方式运距上限（km）"),
    "min_link_quantity": ("minimum link size by category (canonical unit per year)", "各类别最小链接规模（标准单位/年）"),
    "fixed_cost_cny": ("fixed cost per link by mode (CNY/a)", "各方式每条链接固定成本（元/年）"),
    "pipe_cost_cny_per_km": ("pipe cost by mode (CNY/a per km)", "各方式管道成本（元/年·km）"),
    "fixed_tco2e": ("embodied emissions per link by mode (tCO2e/a)", "各方式每条链接隐含排放（tCO2e/a）"),
    "transport_cny_per_tkm": ("transport cost (CNY/t·km)", "运输成本（元/t·km）"),
    "electricity_cny_per_kwh": ("electricity price (CNY/kWh)", "电价（元/kWh）"),
    "detour_factor": ("detour factor (route / straight line)", "绕行系数（路线长度/直线距离）"),
    "gap": ("relative MIP gap to stop at", "停止的相对间隙"), "time_limit": ("time limit (s)", "求解时间上限（秒）"),
    "solver": ("solver", "求解器"), "threads": ("threads", "线程数"),
    "solver_log": ("solver log shown (on stderr)", "显示求解器日志（标准错误输出）"),
    "include_scope2": ("Scope 2 counted in the objective and ranking", "目标与排序计入范围二"),
    "forced": ("forced links", "强制链接"), "forbidden": ("forbidden links", "禁止链接"),
    "max_links_per_enterprise": ("maximum links per enterprise", "每家企业最多链接数"),
    "epsilon_cost": ("cap on the plan's annual net cost (CNY/a)", "方案年净成本上限（元/年）"),
    "budget_capex_cny": ("cap on the plan's investment (CNY)", "方案投资预算（元）"),
    "target_tco2e": ("net avoided emissions the plan must reach (tCO2e/a)", "方案须达到的净减排量（tCO2e/a）"),
    "economics": ("economics rows replaced (datasets/economics.csv)", "被覆盖的经济参数（datasets/economics.csv）"),
    "factor_overrides": ("emission factors overridden", "被覆盖的排放因子"),
    "min_link_tco2e": ("smallest net avoided emissions of a proposed link (tCO2e/a)", "拟议链接最小净减排量（tCO2e/a）"),
    "disabled_rules": ("substitution rules without a source used too", "同时使用无来源的替代规则"),
    "decompose": ("solved as independent sub-problems", "分解为独立子问题求解"),
    "warm_start": ("started from the rounded LP relaxation", "以取整的线性松弛解作为初始解"),
    "heat_direct_km": ("heat exchanged directly up to this route length (km)", "直接换热的最大距离（km）"),
    "heat_loop_factor": ("approach of heat sent between plants, by carrier (× ΔTmin)",
                         "跨厂输热的换热温差，按载热介质（ΔTmin 的倍数）"),
    "heat_drop_k_per_km": ("temperature lost along a heat pipe, by carrier (K/km)", "热力管道沿程温降，按载热介质（K/km）"),
})
SIDE_NAMES = register("report.side", {
    "supplier": ("supplier", "供方"), "receiver": ("receiver", "需方"), "both": ("both", "双方"), "none": ("neither", "无"),
})
UNIT_NAMES = register("report.unit", {"fraction": ("fraction", "比例"), "count": ("count", "个数")})
REGION_NAMES = register("report.region", {
    "national": ("national grid", "全国电网"), "north": ("North China grid", "华北电网"),
    "northeast": ("Northeast China grid", "东北电网"), "east": ("East China grid", "华东电网"),
    "central": ("Central China grid", "华中电网"), "northwest": ("Northwest China grid", "西北电网"),
    "south": ("China Southern grid", "南方电网"), "southwest": ("Southwest China grid", "西南电网"),
})
OBJECTIVE_NAMES = register("report.objective", {
    "emissions": ("maximise net avoided emissions", "最大化净减排量"),
    "cost": ("minimise net cost less the carbon value", "最小化净成本（扣除碳价值）"),
    "least_cost": ("least annual net cost (of reaching the target)", "最小化年净成本（达到减排目标）"),
    "npv": ("maximise net present value with the carbon value", "最大化净现值（计入碳价值）"),
})

# --- conventions of each language, not words (so not in ALL_TABLES): rendered with `convention` ---------------------
CONVENTIONS = register("report.convention", {
    "list_sep": ("; ", "；"),  # between the items of a list in a sentence
    "html_lang": ("en", "zh-CN"),  # the HTML document's lang attribute
})

# --- sentences and headings ---------------------------------------------------------------------------------------
TEXTS = register("report", {
    "title": ("Industrial symbiosis report", "产业共生分析报告"),
    "subtitle": ("{park} — scenario “{scenario}”", "{park} — 情景“{scenario}”"),
    "generated": ("Generated {when} by symbiosis-analyzer {version} from {source}.",
                  "由 symbiosis-analyzer {version} 于 {when} 根据 {source} 生成。"),
    "toc": ("Contents", "目录"),
    # the solver's status: the first thing a reader sees when the plan is not a proven optimum
    "banner_optimal": ("The plan is proven optimal (relative gap {gap}).", "方案已被证明为最优（相对间隙 {gap}）。"),
    "banner_time_limit": ("The solve stopped at the time limit; the plan is not proven optimal: gap {gap}.",
                          "求解达到时间上限而停止；方案未被证明为最优：相对间隙 {gap}。"),
    "banner_feasible": ("The solve stopped at the requested gap; the plan is not proven optimal: gap {gap}.",
                        "求解在要求的相对间隙处停止；方案未被证明为最优：相对间隙 {gap}。"),
    "banner_infeasible": ("The solve is infeasible: no plan meets the forced links and options. No link is proposed "
                          "and the “with the plan” figures equal today's.",
                          "求解无可行解：没有方案能同时满足强制链接和各项设置。未提出任何链接，“方案实施后”的数值与现状相同。"),
    "banner_error": ("The solver failed; the plan is not usable.", "求解器出错；方案不可用。"),
    "banner_not_solved": ("The model was not solved.", "模型未求解。"),
    "banner_empty": ("There was nothing to match: no candidate link under these options.",
                     "没有可匹配的内容：在当前设置下没有候选链接。"),
    "banner_detail": ("Objective {objective}, bound {bound} ({unit}); {links} link(s); build {build} s, solve {solve} s.",
                      "目标值 {objective}，界 {bound}（{unit}）；链接 {links} 条；建模 {build} 秒，求解 {solve} 秒。"),
    "banner_why": ("Why:", "原因："),
    "gap_unknown": ("unknown", "未知"),
    "gap_huge": ("more than 1,000 %", "超过 1,000 %"),
    # summary items
    "s_park": ("Park", "园区"),
    "s_source": ("Data package", "数据包"),
    "s_region_year": ("Grid region and year", "电网区域与年份"),
    "s_scenario": ("Scenario", "情景"),
    "default_scenario": ("default settings (no scenario file)", "默认设置（未使用情景文件）"),
    "options_scenario": ("matching options given directly", "直接给定的匹配选项"),
    "s_generated": ("Generated", "生成时间"),
    "s_version": ("Tool version", "工具版本"),
    "s_enterprises": ("Enterprises", "企业数"),
    "s_streams": ("Ledger streams", "物料流条数"),
    "s_exchanges": ("Existing exchanges", "现有交换条数"),
    "s_status": ("Solver status", "求解状态"),
    "s_status_sentence": ("What the status means", "状态说明"),
    "s_gap": ("Relative gap", "相对间隙"),
    "s_links": ("Proposed links", "拟建链接数"),
    "s_net": ("Net avoided emissions (tCO2e/a)", "净减排量（tCO2e/a）"),
    "s_net_basis_s13": ("counted as avoided Scope 1 + Scope 3 less what the links add",
                        "按避免的范围一 + 范围三排放减去链接新增排放计"),
    "s_net_basis_s123": ("counted as avoided Scope 1 + 2 + 3 less what the links add",
                         "按避免的范围一 + 二 + 三排放减去链接新增排放计"),
    "s_scope1": ("of which avoided Scope 1 (tCO2e/a)", "其中避免范围一（tCO2e/a）"),
    "s_scope2": ("avoided Scope 2, shown, not in the net (tCO2e/a)", "避免范围二，仅列示，未计入净减排（tCO2e/a）"),
    "s_scope2_in": ("of which avoided Scope 2 (tCO2e/a)", "其中避免范围二（tCO2e/a）"),
    "s_scope3": ("of which avoided Scope 3 (tCO2e/a)", "其中避免范围三（tCO2e/a）"),
    "s_added": ("added by the links (tCO2e/a)", "链接新增排放（tCO2e/a）"),
    "s_heat": ("Heat recovered (GJ/a)", "回收热量（GJ/a）"),
    "s_heat_periods": ("Heat recovered by operating period (GJ)", "各运行时段回收热量（GJ）"),
    "s_cost": ("Annual net cost of the links (CNY/a)", "链接年净成本（元/年）"),
    "s_pass_before": ("Indicators passing today", "现状达标指标数"),
    "s_pass_after": ("Indicators passing with the plan", "方案后达标指标数"),
    "s_judged": ("Indicators with a threshold that applies", "有适用阈值的指标数"),
    "s_flagged": ("Enterprises whose ledger gives off more than it takes in", "产出多于投入、需核查的企业"),
    "s_unmatched": ("Streams left (partly) unmatched", "未（完全）匹配的物料流"),
    "s_warnings": ("Data-quality warnings", "数据质量警告"),
    "s_factors": ("Emission factors used", "所用排放因子数"),
    # solver sheet
    "v_status": ("Status", "状态"),
    "v_status_code": ("Status code", "状态代码"),
    "v_objective_sense": ("Objective", "优化目标"),
    "v_objective": ("Objective value", "目标值"),
    "v_bound": ("Bound", "界"),
    "v_objective_unit": ("Unit of objective and bound", "目标值与界的单位"),
    "v_objective_tco2e": ("Objective in tCO2e/a", "目标值（tCO2e/a）"),
    "v_bound_tco2e": ("Bound in tCO2e/a", "界（tCO2e/a）"),
    "v_gap": ("Relative gap |bound − objective| / |objective|", "相对间隙 |界−目标值|/|目标值|"),
    "v_build": ("Model build time (s)", "建模时间（秒）"),
    "v_solve": ("Solve time (s)", "求解时间（秒）"),
    "v_solver": ("Solver", "求解器"),
    "v_subproblems": ("Independent sub-problems", "独立子问题数"),
    "v_message": ("Solver message", "求解信息"),
    "v_step": ("Pipeline step time (s): {step}", "流程步骤用时（秒）：{step}"),
    # sections of the HTML report
    "sec_status": ("Solve status", "求解状态"),
    "sec_summary": ("Summary", "摘要"),
    "sec_sankey": ("Flows today and with the plan", "现状与方案实施后的物质能量流"),
    "sec_sankey_before": ("Today", "现状"),
    "sec_sankey_after": ("With the plan", "方案实施后"),
    "sec_network": ("Enterprise symbiosis network", "企业共生网络"),
    "sec_links": ("Proposed links, ranked", "拟建共生链接（按减排排序）"),
    "sec_indicators": ("Park indicators", "园区指标"),
    "sec_unmatched": ("Streams left unmatched, and why", "未匹配的物料流及原因"),
    "sec_balances": ("Balances", "物料平衡"),
    "sec_factors": ("Emission factors used", "所用排放因子"),
    "sec_warnings": ("Data-quality warnings", "数据质量警告"),
    "sec_method": ("Method notes", "方法说明"),
    "sec_solver": ("Solver and settings", "求解器与计算参数"),
    "sec_ledger": ("Appendix: the cleaned ledger", "附录：清洗后的台账"),
    "no_links": ("No link is proposed.", "未提出任何链接。"),
    "no_unmatched": ("Every stream is matched.", "所有物料流均已匹配。"),
    "no_warnings": ("No data-quality warning.", "没有数据质量警告。"),
    "no_flows": ("No flow measured in this basis.", "没有以此计量的流。"),
    "sankey_note": ("One basis per diagram so units never mix; hover a band for its materials and ledger rows. "
                    "An enterprise on a cycle is drawn as two nodes, (in) and (out).",
                    "每张图只用一种计量，单位不混用；悬停可查看物料和对应台账行。处于循环中的企业画成“（入）”和“（出）”两个节点。"),
    "network_svg": ("Solid lines: existing exchanges; dashed: proposed links, labelled with their net avoided tCO2e/a.",
                    "实线：现有交换；虚线：拟建链接，标注其净减排量（tCO2e/a）。"),
    "network_no_dot": ("The Graphviz `dot` program is not installed (Debian package graphviz), so the network is "
                       "given as DOT source; paste it into any Graphviz viewer.",
                       "未安装 Graphviz 的 dot 程序（Debian 软件包 graphviz），因此以 DOT 源码给出网络图，"
                       "可粘贴到任一 Graphviz 查看器中。"),
    "network_dot_failed": ("The Graphviz `dot` program failed ({error}), so the network is given as DOT source.",
                           "Graphviz 的 dot 程序运行失败（{error}），因此以 DOT 源码给出网络图。"),
    "links_note": ("Ranked by avoided Scope 1 + Scope 3 net of what each link adds{scope2}. Quantities are per year "
                   "in canonical units; the full breakdown by scope, owner and factor is in the workbook.",
                   "按避免的范围一 + 范围三排放减去链接新增排放排序{scope2}。数量为每年、标准单位；"
                   "按范围、归属企业和排放因子的完整分解见工作簿。"),
    "links_scope2_included": (" (Scope 2 included, as set)", "（按设置计入范围二）"),
    "links_more": ("{n} more link(s) in the workbook.", "另有 {n} 条链接见工作簿。"),
    "note_today": ("today: {note}", "现状：{note}"),
    "note_after": ("with the plan: {note}", "方案后：{note}"),
    "indicators_note": ("A value the ledger cannot support reads “not computable” with what it needs. Reliability "
                        "tags: A official or peer-reviewed, B reputable secondary, C third-party transcription, "
                        "R placeholder without a found source.",
                        "台账无法支撑的指标显示“无法计算”及所需数据。可靠性标签：A 官方或同行评审，B 可靠的二手来源，"
                        "C 第三方转录，R 未找到来源的占位值。"),
    "balances_note": ("Per enterprise and dimension, in against out. Only “out exceeds in” beyond the tolerance for "
                      "mass or water is flagged (!): an input row is missing or a number is wrong. The category-level "
                      "balances and the state with the plan are in the workbook.",
                      "逐企业、按维度核算投入与产出。仅当质量或水量“产出大于投入”且超出容差时标记（!）："
                      "说明缺少投入行或数值有误。按类别的平衡和方案后的平衡见工作簿。"),
    "balances_flagged_only": ("{n} rows; the {k} flagged ones are shown, all are in the workbook.",
                              "共 {n} 行；此处仅列出 {k} 条需核查的行，全部见工作簿。"),
    "unmatched_more": ("{n} more row(s) in the workbook.", "另有 {n} 行见工作簿。"),
    "factors_note": ("Every factor referenced by a link or an indicator, with its value, unit, year, region, source "
                     "and reliability tag (datasets/emission_factors.csv).",
                     "链接或指标引用的全部排放因子，含数值、单位、年份、区域、来源和可靠性标签"
                     "（datasets/emission_factors.csv）。"),
    "warnings_more": ("{n} more in the workbook.", "另有 {n} 条见工作簿。"),
    "ledger_note": ("Values as entered (units as the ledger gives them) beside the canonical quantity every number "
                    "in this report is computed from; the source file and row of each line.",
                    "原始填报值（按台账单位）及本报告所有计算所用的标准单位折算值；并注明每行的来源文件和行号。"),
    # method notes
    "m_scopes": ("Avoided emissions by scope (GHG Protocol). For a link from supplier S to receiver R carrying a "
                 "quantity q: avoided Scope 1 is the fuel R no longer burns (heat from its own boiler through the "
                 "boiler's efficiency, an off-gas replacing natural gas), or the flaring S no longer does; avoided "
                 "Scope 2 is the electricity or purchased heat/steam R no longer buys; avoided Scope 3 category 1 is "
                 "the virgin material or tap water R no longer buys (cradle-to-gate), category 5 the disposal "
                 "(landfill, incineration, treatment) of S's waste that no longer happens. Added: transport "
                 "(category 4, t·km), pumping and pre-treatment electricity, the substitute fuel's own combustion and, "
                 "where set, the annualised construction. Pipe heat losses reduce the heat delivered. Each item is "
                 "booked to the enterprise whose inventory it falls in.",
                 "按范围核算避免的排放（GHG Protocol）。对供方 S 向需方 R 输送数量 q 的链接：避免的范围一排放是 R "
                 "不再燃烧的燃料（自有锅炉产热按锅炉效率折算；尾气替代天然气），或 S 不再火炬燃烧的排放；避免的范围二排放是 "
                 "R 不再外购的电力或热力/蒸汽；避免的范围三类别1排放是 R 不再购买的原生物料或自来水（从摇篮到大门），"
                 "类别5是 S 的废物不再需要的处置（填埋、焚烧、处理）。新增排放：运输（类别4，吨·公里）、泵送与预处理用电、"
                 "替代燃料自身的燃烧，以及（如设置）年化的建设隐含排放。管道热损失减少输送的热量。各项计入其所属企业的排放清单。"),
    "m_ranking": ("Links are ranked, and the plan chosen, by net avoided emissions = avoided Scope 1 + Scope 3 − "
                  "added{scope2}. Existing exchanges are today's state and earn nothing; at park level each tonne "
                  "of carbon is counted once, where its fuel enters the park.",
                  "链接排序和方案优选依据净减排量 = 避免的范围一 + 范围三排放 − 新增排放{scope2}。现有交换属于现状，不计减排；"
                  "园区层面每吨碳只在其燃料进入园区处计一次。"),
    "m_scope2_yes": (" + avoided Scope 2", " + 避免的范围二排放"),
    "m_objective": ("Objective: {objective}; carbon price {price} CNY/tCO2e; the MILP (HiGHS through PuLP) is "
                    "solved as {parts} independent sub-problem(s) with a relative gap of {gap} and a time limit of "
                    "{limit} s.",
                    "优化目标：{objective}；碳价 {price} 元/tCO2e；混合整数规划（PuLP 调用 HiGHS）分解为 {parts} 个独立子问题求解，"
                    "相对间隙 {gap}，时间上限 {limit} 秒。"),
    "m_heat": ("Heat is matched by temperature as a cascade (temperature-interval transshipment): a source serves "
               "sinks at lower temperatures only, with ΔTmin = {dt} K between them.",
               "余热按温度梯级匹配（温度区间转运模型）：热源只向更低温度的热阱供热，两者之间至少相差 ΔTmin = {dt} K。"),
    "m_reach": ("Reach by mode (straight-line distance × detour factor {detour}): {reach}.",
                "各输送方式运距上限（直线距离 × 绕行系数 {detour}）：{reach}。"),
    "m_minimum": ("Smallest link proposed, per year: {minimum}.", "每年最小链接规模：{minimum}。"),
    "m_factors": ("{n} emission factors are used (table below and the workbook); the grid factor is {grid} "
                  "({grid_value} {grid_unit}, {grid_region} {grid_year}); {overridden}.",
                  "共使用 {n} 个排放因子（见下表和工作簿）；电网因子为 {grid}（{grid_value} {grid_unit}，{grid_region} "
                  "{grid_year}）；{overridden}。"),
    "m_no_override": ("no factor is overridden", "没有因子被覆盖"),
    "m_overrides": ("overridden: {ids}", "被覆盖：{ids}"),
    "m_scenario": ("Scenario “{name}”: {forced} forced and {forbidden} forbidden link(s), {edits} ledger edit(s).",
                   "情景“{name}”：强制链接 {forced} 条、禁止链接 {forbidden} 条、台账修改 {edits} 处。"),
    "m_edit": ("Edit: stream {stream} column {column} set to {value}.", "修改：物料流 {stream} 的 {column} 改为 {value}。"),
    "m_forced": ("Forced: {link}.", "强制：{link}。"),
    "m_forbidden": ("Forbidden: {link}.", "禁止：{link}。"),
    "m_indicators": ("Indicators are computed from the metabolism graph today and with the plan applied; thresholds "
                     "and their sources come from datasets/indicators.csv (see docs/metabolism.md).",
                     "园区指标基于现状和实施方案后的代谢流图计算；阈值及来源取自 datasets/indicators.csv（见 docs/metabolism.md）。"),
    "m_trace": ("Every number can be traced: each link names its two ledger streams and its factor ids, each "
                "indicator the ledger rows and factors behind it (workbook sheets “{rows}” and “{factors}”).",
                "每个数字均可追溯：每条链接注明其两条台账物料流及所用因子编号，每个指标注明其所依据的台账行和因子"
                "（见工作簿“{rows}”和“{factors}”工作表）。"),
    # warnings generated by the report itself
    "w_balance": ("{enterprise}: {dimension} out exceeds in by {gap} {unit} (tolerance {tolerance})",
                  "{enterprise}：{dimension}产出大于投入 {gap} {unit}（容差 {tolerance}）"),
    "w_scenario_park": ("The scenario was made on park “{made_on}”, this report is for “{park}”.",
                        "该情景基于园区“{made_on}”制作，而本报告针对园区“{park}”。"),
    "w_scenario_result": ("The scenario file records a plan of {before} link(s) that differs from this run's "
                          "{after} link(s): the data or the tool changed since it was saved.",
                          "情景文件记录的方案（{before} 条链接）与本次运行结果（{after} 条链接）不同：保存后数据或工具已变化。"),
    "w_missing_factor": ("factor id {factor} is referenced but not in datasets/emission_factors.csv",
                         "引用了因子 {factor}，但 datasets/emission_factors.csv 中没有该因子"),
    "unknown_factor": ("(not in datasets/emission_factors.csv)", "（datasets/emission_factors.csv 中没有）"),
    "used_links": ("{n} link(s)", "{n} 条链接"),
    "used_indicators": ("indicators: {ids}", "指标：{ids}"),
    "arrow": ("{a} → {b}", "{a} → {b}"),
    "or": (" or ", " 或 "),
    "not_computable_needs": ("not computable: {needs}", "无法计算：{needs}"),
    "progress_step": ("[{k}/{n}] {step} …", "[{k}/{n}] {step} ……"),
    "progress_done": ("[{k}/{n}] {step}: {seconds} s (total {total} s)", "[{k}/{n}] {step}：{seconds} 秒（累计 {total} 秒）"),
    "step_load": ("load the park", "读取园区数据"),
    "step_validate": ("validate and apply the scenario", "校验并应用情景"),
    "step_metabolism": ("metabolism: graph and balances", "代谢分析：流图与物料平衡"),
    "step_match": ("match: candidates and MILP", "匹配：候选链接与优化求解"),
    "step_explain": ("explain what is left unmatched", "解释未匹配的物料流"),
    "step_indicators": ("indicators before and after", "方案前后的园区指标"),
    "step_write": ("write the report", "写出报告"),
    "written": ("Report written to {out}: {files}", "报告已写入 {out}：{files}"),
    # the MACC (symbiosis.reporting.macc): figure, hover, sentences
    "sec_macc": ("What the links cost and earn: the marginal abatement cost curve",
                 "链接的成本与收益：边际减排成本曲线"),
    "macc_title": ("Marginal abatement cost curve of the plan", "方案的边际减排成本曲线（MACC）"),
    "macc_x": ("Net avoided emissions, cumulative (tCO2e/a)", "累计净减排量（tCO2e/a）"),
    "macc_y": ("Abatement cost (CNY/tCO2e)", "减排成本（元/tCO2e）"),
    "macc_below": ("pays for itself at {price} CNY/tCO2e", "在 {price} 元/tCO2e 碳价下可自负盈亏"),
    "macc_above": ("dearer than {price} CNY/tCO2e", "高于 {price} 元/tCO2e 碳价"),
    "macc_price_line": ("carbon price {price} CNY/tCO2e", "碳价 {price} 元/tCO2e"),
    "h_tonnes": ("avoided: {value} tCO2e/a", "净减排：{value} tCO2e/a"),
    "h_abatement": ("abatement cost: {value} CNY/tCO2e", "减排成本：{value} 元/tCO2e"),
    "h_capex": ("investment (CAPEX): {value} CNY", "投资（CAPEX）：{value} 元"),
    "h_annual": ("annual net cost: {value} CNY/a", "年净成本：{value} 元/年"),
    "h_npv": ("net present value: {value} CNY", "净现值：{value} 元"),
    "h_payback": ("simple payback: {value} a", "静态回收期：{value} 年"),
    "h_never": ("never", "无法回收"),
    "h_sides": ("pays: {payer} · gains: {gainer}", "承担成本：{payer} · 获益：{gainer}"),
    "h_transfer": ("transfer price: {value}", "结算价格：{value}"),
    "h_transfer_range": ("{low} to {high} {unit} leaves both sides no worse",
                         "{low} 至 {high} {unit} 之间双方均不受损"),
    "h_transfer_mid": ("{mid} {unit} (the surplus split equally; both gain between {low} and {high})",
                       "{mid} {unit}（平分收益；在 {low} 至 {high} 之间双方均获益）"),
    "cny_per": ("CNY/{unit}", "元/{unit}"),
    "h_transfer_none": ("none: the link loses money overall", "无：该链接总体亏损"),
    "h_placeholders": ("placeholder rows (tag R): {value}", "占位参数（R 级）：{value}"),
    "h_no_placeholder": ("none", "无"),
    "macc_note": ("One bar per proposed link that avoids something net, ordered by abatement cost (annual net cost "
                  "with the investment annualised, per tonne avoided); its width is the tonnes it avoids each year, "
                  "its height the cost per tonne. A bar below the carbon price line pays for itself at that price; "
                  "a bar below zero saves money even without one. Method and the sources of every default: "
                  "docs/economics.md and datasets/economics.csv; the rows used are in the workbook.",
                  "每条净减排为正的拟建链接画一根柱，按减排成本（含年化投资的年净成本除以减排量）从低到高排列；"
                  "柱宽为该链接每年的减排量，柱高为每吨减排成本。位于碳价线以下的链接在该碳价下可自负盈亏；"
                  "低于零的链接即使没有碳价也能省钱。方法及各项默认参数的来源见 docs/economics.md 和 "
                  "datasets/economics.csv；所用参数行列于工作簿。"),
    "macc_summary": ("{links} link(s) on the curve avoid {tonnes} tCO2e/a, of which {below} tCO2e/a at or below the "
                     "carbon price of {price} CNY/tCO2e. Investment {capex} CNY in all; annual net cost {annual} "
                     "CNY/a (negative: the links save that much each year).",
                     "曲线上共 {links} 条链接，年减排 {tonnes} tCO2e，其中 {below} tCO2e/a 的减排成本不高于 {price} "
                     "元/tCO2e 的碳价。总投资 {capex} 元；年净成本 {annual} 元/年（负值表示每年节省该金额）。"),
    "macc_cheapest": ("The {n} cheapest links per tonne", "单位减排成本最低的 {n} 条链接"),
    "macc_dearest": ("The {n} dearest links per tonne", "单位减排成本最高的 {n} 条链接"),
    "macc_all": ("Every link", "全部链接"),
    "macc_placeholders": ("{k} of {n} link(s) rest on at least one placeholder row (tag R: no source found) of "
                          "datasets/economics.csv; the rows and how many links use each: {rows}. Replace them with "
                          "quotes in park.toml [economics] and these figures move.",
                          "{n} 条链接中有 {k} 条至少用到 datasets/economics.csv 中的一项占位参数（R 级：未找到来源）；"
                          "参数及使用它的链接数：{rows}。在 park.toml 的 [economics] 中用报价替换后，这些数字会随之变化。"),
    "macc_no_placeholders": ("No link rests on a placeholder row: every economic row used has a source or was set "
                             "by the park.",
                             "没有链接用到占位参数：所用经济参数均有来源或由园区设定。"),
    "macc_excluded": ("{n} link(s) avoid nothing net and have no abatement cost, so they are not on the curve: "
                      "{links}.",
                      "{n} 条链接净减排不为正，没有减排成本，因此不在曲线上：{links}。"),
    "macc_no_links": ("No link is proposed, so there is no curve.", "未提出任何链接，因此没有减排成本曲线。"),
    "macc_failed": ("The economics could not be computed: {error}", "无法计算经济性：{error}"),
})


def t(key: str, lang: Lang | str, **params: Any) -> str:
    """A sentence or heading in `lang`, with its {placeholders} filled."""
    return i18n.render(TEXTS.code(key), lang, **params)


def convention(key: str, lang: Lang | str) -> str:
    """A typographic or technical convention of `lang` (a list separator, the HTML lang tag)."""
    return i18n.render(CONVENTIONS.code(key), lang)


def sheet(key: str, lang: Lang | str) -> str:
    return i18n.render(SHEETS.code(key), lang)[:31]


def col(key: str, lang: Lang | str) -> str:
    return i18n.render(COLUMNS.code(key), lang)


def word(table: MessageTable[Any], key: Any, lang: Lang | str) -> str:
    """A value from one of the fixed vocabularies; an unknown key is shown as it is (never dropped)."""
    return i18n.word(table, key, lang)


def gap_text(gap: float | None, lang: Lang | str) -> str:
    """The relative gap in percent; a gap with an objective near zero is not a meaningful percentage."""
    if gap is None or (isinstance(gap, float) and not math.isfinite(gap)):
        return t("gap_unknown", lang)
    if gap >= 10:
        return t("gap_huge", lang)
    if gap < 1e-5:  # below what a reader can use; the exact number is in the workbook's solver sheet
        return "< 0.001 %"
    return f"{gap * 100:.3g} %"


ALL_TABLES: dict[str, MessageTable[Any]] = {
    "SHEETS": SHEETS, "COLUMNS": COLUMNS, "STATUS_NAMES": STATUS_NAMES, "MODE_NAMES": MODE_NAMES,
    "DIRECTION_NAMES": DIRECTION_NAMES, "BALANCE_STATUS": BALANCE_STATUS, "LEVEL_NAMES": LEVEL_NAMES,
    "STATE_NAMES": STATE_NAMES, "SCOPE_NAMES": SCOPE_NAMES, "ITEM_NAMES": ITEM_NAMES, "ORIGIN_NAMES": ORIGIN_NAMES,
    "SEVERITY_NAMES": SEVERITY_NAMES, "YES_NO": YES_NO, "PASS_NAMES": PASS_NAMES, "METRIC_NAMES": METRIC_NAMES,
    "SETTING_NAMES": SETTING_NAMES, "REGION_NAMES": REGION_NAMES, "UNIT_NAMES": UNIT_NAMES, "OBJECTIVE_NAMES": OBJECTIVE_NAMES, "SIDE_NAMES": SIDE_NAMES,
    "TEXTS": TEXTS,
}
