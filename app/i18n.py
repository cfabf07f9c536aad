"""Every label the app shows, in English and Chinese: the table `S`, registered in the one catalogue of
symbiosis.core.i18n under the namespace "app". `t(key, lang, **params)` renders `app.<key>` there.

A test checks that each key has both texts, that the Chinese one is Chinese, and that both take the same
parameters; the pages never build a label out of parts of two languages.
"""

from __future__ import annotations

from typing import Any

from symbiosis.core.i18n import MODE_NAMES, Lang, register, render
from symbiosis.core.i18n import lang_column as lang_column
from symbiosis.core.i18n import pick as pick
from symbiosis.core.i18n import word as word

LANG_LABELS: dict[str, str] = {"en": "English", "zh": "中文"}

S = register("app", {
    # --- frame and pages ---
    "page_data": ("Data", "数据"),
    "page_metabolism": ("Metabolism", "代谢"),
    "page_opportunities": ("Opportunities", "机会"),
    "page_indicators": ("Indicators", "指标"),
    "page_scenarios": ("Scenarios", "情景"),
    "page_export": ("Export", "导出"),
    "loading_park": ("Loading the park…", "正在加载园区……"),
    "no_park_open": ("No park is open yet: open the demo park or upload your own on the Data page.",
                     "尚未打开园区：请在“数据”页打开示例园区或上传自己的园区数据。"),
    "open_a_park_first": ("Open a park first (the demo park, or your own upload) on the Data page.",
                          "请先在“数据”页打开一个园区（示例园区或上传的数据）。"),
    "no_park": ("none", "无"),
    "page_failed": ("This page met an unexpected error ({error}). Your park, scenarios and plan are kept: try "
                    "other options or another page, and tell the tool's maintainers.",
                    "本页遇到意外错误（{error}）。园区、情景和方案均已保留：请尝试其他选项或其他页面，并告知工具维护者。"),
    "step_failed": ("{what} failed with an unexpected error ({error}); everything else is kept.",
                    "{what}时出现意外错误（{error}）；其他内容均已保留。"),
    "step_candidates": ("Listing the candidate links", "列出候选链接"),
    "step_solve": ("Matching", "匹配"),
    "step_explain": ("Explaining what is left unmatched", "分析未匹配原因"),
    "solve_failed": ("Matching failed: see the message below.", "匹配失败：请查看下方信息。"),
    "park_counts": ("{enterprises} enterprises · {streams} streams", "{enterprises} 家企业 · {streams} 条物料流"),
    "edits_count": ("{n} ledger edit(s) in this scenario", "本情景有 {n} 处台账修改"),
    "plan_links_count": ("current plan: {n} link(s)", "当前方案：{n} 条链接"),
    # --- data page ---
    "data_intro": ("A park data package is the enterprises' ledgers: enterprises.csv (who and where), streams.csv "
                   "(what each takes in and gives off, with quantities and units) and optionally exchanges.csv "
                   "(links that exist today) and park.toml. Open the demo park to look around, or upload your own.",
                   "园区数据包即企业台账：企业.csv（企业及位置）、物料流.csv（各企业的投入与产出，含数量和单位），"
                   "可选 现有交换.csv（现有共生链接）和 park.toml。可先打开示例园区浏览，或上传自己的数据。"),
    "open_park": ("Open a park", "打开园区"),
    "demo_explain": ("An illustrative park shipped with the tool: power, cement, steel, chemicals, water.",
                     "工具自带的示例园区：电厂、水泥、钢铁、化工、水务等企业。"),
    "open_demo": ("Open the demo park", "打开示例园区"),
    "upload_label": ("Upload a park: several CSV files (and park.toml), one .xlsx, or one .zip",
                     "上传园区数据：多个 CSV 文件（及 park.toml）、一个 .xlsx 或一个 .zip"),
    "upload_help": ("Chinese or English headers, UTF-8 or GB18030 (Excel) encoding. At most {mb} MB in all.",
                    "支持中文或英文表头，UTF-8 或 GB18030（Excel）编码。合计不超过 {mb} MB。"),
    "upload_too_large": ("The upload is {size} MB; the app accepts at most {mb} MB. Split the park or remove "
                         "unneeded sheets and columns.",
                         "上传文件共 {size} MB，超过上限 {mb} MB。请拆分园区或删除不需要的工作表和列。"),
    "validating_upload": ("Reading and checking the upload…", "正在读取并校验上传的数据……"),
    "loaded": ("Loaded.", "已加载。"),
    "load_failed_short": ("Not loaded: see the problems below.", "未加载：请查看下方问题列表。"),
    "colon": (": ", "："),
    "upload_several_packages": (
        "{n} park packages were uploaded at once ({files}). The app reads one package at a time — one .xlsx, one "
        ".zip, or a set of CSV files. Remove the old one from the upload box (the × beside its name) and keep only "
        "the one you want to open.",
        "一次上传了 {n} 个园区数据包（{files}）。应用一次只读取一个数据包：一个 .xlsx、一个 .zip，或一组 CSV 文件。"
        "请在上传框中删除旧的文件（点击文件名旁的 ×），只保留要打开的那一个。"),
    "upload_package_and_files": (
        "A workbook or .zip ({package}) was uploaded together with other files ({others}). The app reads one "
        "package at a time — one .xlsx, one .zip, or a set of CSV files (and park.toml). Remove the files you do "
        "not mean to open from the upload box.",
        "工作簿或 .zip（{package}）与其他文件（{others}）一起上传了。应用一次只读取一个数据包：一个 .xlsx、"
        "一个 .zip，或一组 CSV 文件（及 park.toml）。请在上传框中删除不打算打开的文件。"),
    "upload_packages_failed": (
        "Nothing was loaded: the upload holds more than one park package. The park that was open stays open "
        "({park}).", "未加载任何数据：本次上传包含不止一个园区数据包。原已打开的园区保持不变（{park}）。"),
    "upload_failed": ("{errors} error(s): the upload was not loaded. The park that was open stays open ({park}). "
                      "Fix the cells listed below in the fix table (or in your files, and upload again).",
                      "发现 {errors} 个错误：上传的数据未加载，原已打开的园区保持不变（{park}）。"
                      "请在下方修正表中修改所列单元格（或改好文件后重新上传）。"),
    "edit_failed": ("{errors} error(s) in the edited ledger: the edits were not applied and the park stays as it "
                    "was ({park}). Correct the values in the table and apply again.",
                    "修改后的台账有 {errors} 个错误：修改未生效，园区保持原状（{park}）。请在表中更正后再次应用。"),
    "templates": ("Blank templates and column reference", "空白模板与字段说明"),
    "templates_explain": ("Fill in a template in Excel and upload it. Every column is explained below; the "
                          "required ones are marked.",
                          "在 Excel 中填写模板后上传。各列说明见下表，必填列已标出。"),
    "template_headers": ("Headers", "表头"),
    "headers_zh": ("Chinese headers", "中文表头"),
    "headers_en": ("English headers", "英文表头"),
    "sheet_park": ("park", "园区"),  # the park.toml sheet of the Excel template
    "help_header_zh": ("Chinese header", "中文表头"),  # column reference; the other headings are schema.heading.*
    "col_stream_id": ("stream_id", "流编号"),
    "region_global": ("worldwide", "全球"),
    "export_report": ("The report", "报告"),
    "export_report_help": ("The same report as `symbiosis report`, in the language chosen above: an HTML document "
                           "(opens offline) and an Excel workbook. It is built when you click (matching runs first "
                           "when there is no plan yet).",
                           "与 `symbiosis report` 相同的报告，使用上方所选语言：HTML 文档（可离线打开）和 Excel 工作簿。"
                           "点击时生成（尚无方案时先运行匹配）。"),
    "dl_report_html": ("Report (HTML)", "报告（HTML）"),
    "dl_report_xlsx": ("Report (Excel)", "报告（Excel）"),
    "col_new_value": ("new value", "新值"),
    "template_csv": ("Download CSV templates (.zip)", "下载 CSV 模板（.zip）"),
    "template_xlsx": ("Download the Excel template (.xlsx)", "下载 Excel 模板（.xlsx）"),
    "open_park_now": ("Open park: {park}", "当前园区：{park}"),
    "source_is": ("Source: {source}", "来源：{source}"),
    "enterprises": ("Enterprises", "企业"),
    "streams": ("Streams", "物料流"),
    "exchanges": ("Existing exchanges", "现有交换"),
    "warnings": ("Warnings", "警告"),
    "warnings_n": ("{n} warning(s): the park loaded, but have a look", "{n} 条警告：园区已加载，但请核查"),
    "edit_ledger": ("Edit the ledger", "修改台账"),
    "edit_explain": ("Change quantities, units, temperatures, baselines or operating hours in the table, then "
                     "apply: the edited ledger is checked exactly like an upload, and the edits are recorded in "
                     "the current scenario.",
                     "在表中修改数量、单位、温度、现状或年运行小时，然后点击应用：修改后的台账将按上传数据同样的规则"
                     "校验，修改记录在当前情景中。"),
    "apply_edits": ("Apply edits and re-check", "应用修改并重新校验"),
    "undo_edits": ("Undo all edits", "撤销全部修改"),
    "edits_recorded": ("{n} edit(s) recorded in the current scenario:", "当前情景已记录 {n} 处修改："),
    # --- fixing the rows of a package that failed to load ---
    "fix_rows": ("Fix rows: {files}", "修正行：{files}"),
    "fix_explain": ("The rows with problems, as your file has them. Type a fix in a cell: the package is checked "
                    "again at once, and loads as soon as nothing is left to fix — no new upload. Your uploaded "
                    "files stay as they were and can be downloaded below.",
                    "以下为有问题的行（按文件原样）。在单元格中直接修改：数据包会立即重新校验，问题全部解决后即自动加载，"
                    "无需重新上传。上传的原始文件保持不变，可在下方下载。"),
    "fix_group": ("Group (optional: named in the change log)", "小组（可选：记入修改记录）"),
    "fix_left": ("{errors} error(s) left to fix ({changes} change(s) so far).",
                 "尚有 {errors} 个错误待修正（已修改 {changes} 处）。"),
    "fix_done": ("Fixed: the park is loaded from your package with {changes} change(s). Download the corrected "
                 "package and the change log below.",
                 "已修正：园区已按修改 {changes} 处后的数据包加载。可在下方下载修正后的数据包和修改记录。"),
    "fix_no_rows": ("No single row can be fixed here: the problems are about whole files (see the report above).",
                    "此处没有可逐行修正的内容：问题涉及整个文件（见上方校验报告）。"),
    "fix_table": ("{file}: {n} row(s)", "{file}：{n} 行"),
    "fix_col_row": ("row", "行"),
    "fix_col_problems": ("problems now", "当前问题"),
    "fix_row_ok": ("✓ fixed", "✓ 已修正"),
    "fix_changes": ("Change log", "修改记录"),
    "dl_fixed_package": ("Download the corrected package (.zip, with change_log.csv)",
                         "下载修正后的数据包（.zip，含 change_log.csv）"),
    "dl_change_log": ("Download the change log (.csv)", "下载修改记录（.csv）"),
    "dl_original": ("Download the original {file} (unchanged)", "下载原始文件 {file}（未改动）"),
    "change_file": ("file", "文件"),
    "change_row": ("row", "行"),
    "change_column": ("column", "列"),
    "change_old": ("old value", "原值"),
    "change_new": ("new value", "新值"),
    "change_when": ("when (UTC)", "时间（UTC）"),
    "change_group": ("group", "小组"),
    # --- data quality ---
    "quality": ("Data quality", "数据质量"),
    "quality_explain": ("Per enterprise: the share of its rows that have what matching needs (temperatures on heat "
                        "rows, a grade on water rows, a baseline where one is needed, a position); the assumptions "
                        "the loader made; and the missing values that would change the plan most — first those that "
                        "keep a row out of matching, then those that restrict it, then those that leave nothing "
                        "avoided counted, larger rows first.",
                        "按企业列出：满足匹配所需信息的行所占比例（热行的温度、水行的水质等级、需要时的现状去向/来源、"
                        "位置）；加载时作出的假设；以及对方案影响最大的缺失值——先列使该行无法匹配的，再列限制匹配的，"
                        "最后列不计避免排放的，同级按规模从大到小。"),
    "quality_assumptions": ("Assumptions the loader made ({n})", "加载时作出的假设（{n} 项）"),
    "quality_missing": ("Missing values that would change the plan most ({n})", "对方案影响最大的缺失值（{n} 项）"),
    # --- metabolism page ---
    "metabolism_intro": ("Where every material, water, heat and energy flow of the park comes from and goes to, "
                         "from the ledgers. Hover a band to see its quantity and the ledger rows behind it.",
                         "根据台账展示园区每一股物料、水、热和能量流的来源与去向。将鼠标悬停在流带上可查看数量及对应台账行。"),
    "sankey": ("Sankey diagram", "桑基图"),
    "basis": ("Measured as", "计量口径"),
    "basis_mass": ("mass", "质量"),
    "basis_water": ("water", "水量"),
    "basis_heat": ("heat", "热量"),
    "basis_co2e": ("CO₂e", "二氧化碳当量"),
    "basis_energy": ("energy", "能量"),
    "level": ("Grouped by", "分组方式"),
    "level_category": ("category", "类别"),
    "level_material": ("material", "物料"),
    "level_enterprise": ("enterprise", "企业"),
    "state": ("State", "状态"),
    "state_before": ("today", "现状"),
    "state_after": ("with the current plan", "实施当前方案后"),
    "after_needs_plan": ("Run matching on the Opportunities page to see the park with the plan.",
                         "请先在“机会”页运行匹配，才能查看实施方案后的园区。"),
    "filters": ("Filters", "筛选"),
    "filter_categories": ("Only these categories", "仅显示这些类别"),
    "filter_enterprises": ("Only flows of these enterprises", "仅显示这些企业的流"),
    "filter_min_share": ("Hide flows smaller than this share of the largest", "隐藏小于最大流该比例的流"),
    "filter_boundary": ("Show flows to and from outside the park", "显示与园区外部之间的流"),
    "building_graph": ("Building the metabolism graph…", "正在构建代谢图……"),
    "sankey_title": ("{park} — {basis} — {state}", "{park} — {basis} — {state}"),
    "sankey_caption": ("{shown} of {total} flows shown.", "显示 {total} 股流中的 {shown} 股。"),
    "network": ("Enterprise network", "企业共生网络"),
    "network_caption": ("Solid arrows: exchanges that exist today; dashed: links the current plan adds.",
                        "实线：现有交换；虚线：当前方案新增的链接。"),
    "net_linked_only": ("Only enterprises with a link", "仅显示有链接的企业"),
    "net_dropped": ("{n} enterprise(s) without any exchange or link are not drawn.",
                    "{n} 家没有任何交换或链接的企业未绘出。"),
    "network_metrics": ("Network measures and keystone enterprises", "网络指标与关键企业"),
    "keystones": ("Keystone enterprises: what the network loses if each one leaves.",
                  "关键企业：某企业退出时网络失去的链接。"),
    "col_metric": ("measure", "指标"),
    "col_value": ("value", "数值"),
    "ks_enterprise_id": ("enterprise", "企业编号"),
    "ks_name": ("name", "名称"),
    "ks_links": ("chain links", "生态链接数"),
    "ks_existing_links": ("existing", "现有"),
    "ks_proposed_links": ("proposed", "拟建"),
    "ks_partners": ("partners", "合作企业数"),
    "ks_avoided_tco2e_lost": ("avoided tCO2e/a lost", "损失的减排量 tCO2e/a"),
    "ks_stranded": ("partners left alone", "失去全部链接的企业"),
    "balances": ("Balances", "物料平衡"),
    "balances_caption": ("In against out for each enterprise. A ledger usually leaves out products and losses, "
                         "so more in than out is normal; more out than in means an input row is missing or a "
                         "number is wrong.",
                         "逐企业核对投入与产出。台账通常不列产品和损耗，投入多于产出属正常；"
                         "产出多于投入则说明缺少投入行或数值有误。"),
    "all_balanced": ("No enterprise gives off more mass (water included) than it takes in, except where its notes "
                     "declare inputs the ledger leaves out (see the note column under All balances).",
                     "没有企业的产出质量（含水）多于投入；企业备注已声明台账未列出部分投入的除外（见“全部平衡结果”中的说明列）。"),
    "n_unbalanced": ("{n} enterprise(s) give off more mass (water included) than they take in, and their notes "
                     "declare no unlisted input: check these rows.",
                     "{n} 家企业的产出质量（含水）多于投入，且备注未声明未列出的投入：请核查以下记录。"),
    "all_balances": ("All balances", "全部平衡结果"),
    "flow_notes": ("{n} note(s) on how the ledger was read", "{n} 条台账解读说明"),
    "note_ref": ("row", "台账行"),
    "note_file": ("file", "文件"),
    "note_row": ("line", "行号"),
    "note_message": ("note", "说明"),
    "col_enterprise": ("enterprise", "企业"),
    "col_balance_of": ("balance of", "平衡项"),
    "col_unit": ("unit", "单位"),
    "col_in": ("in", "投入"),
    "col_out": ("out", "产出"),
    "col_gap": ("in − out", "投入−产出"),
    "col_status": ("status", "状态"),
    "col_note": ("note", "说明"),
    "balance_balanced": ("balanced", "平衡"),
    "balance_in_exceeds_out": ("more in than out", "投入多于产出"),
    "balance_out_exceeds_in": ("more out than in", "产出多于投入"),
    # --- indicators page ---
    "indicators_intro": ("The indicators a Chinese zero-carbon park (NDRC 2025 No. 910) and a national eco-industrial "
                         "demonstration park (HJ 274-2015) are judged by, computed from the ledgers, today and with "
                         "the current plan.",
                         "按零碳园区（发改环资〔2025〕910号）和国家生态工业示范园区（HJ 274-2015）的评价指标，"
                         "根据台账计算现状和实施当前方案后的数值。"),
    "computing_indicators": ("Computing the indicators…", "正在计算指标……"),
    "indicators_no_plan": ("Only today's values: run matching on the Opportunities page to see them with a plan.",
                           "目前仅显示现状值：在“机会”页运行匹配后可查看实施方案后的数值。"),
    "pass_today": ("Thresholds met today", "现状达标项"),
    "pass_with_plan": ("Thresholds met with the plan", "实施方案后达标项"),
    "not_computable_n": ("Not computable from these ledgers", "台账数据不足、无法计算的指标"),
    "passes": ("meets", "达标"),
    "fails": ("does not meet", "未达标"),
    "no_threshold": ("reported only", "仅报告"),
    "col_indicator": ("indicator", "指标"),
    "col_before": ("today", "现状"),
    "col_after": ("with plan", "实施方案后"),
    "col_threshold": ("threshold", "阈值"),
    "col_framework": ("framework", "评价体系"),
    "col_pass_before": ("today vs threshold", "现状是否达标"),
    "col_pass_after": ("with plan vs threshold", "方案后是否达标"),
    "col_reliability": ("source reliability", "来源可靠性"),
    "col_threshold_source": ("where the threshold comes from", "阈值来源"),
    "reliability_legend": ("Source reliability: A official or peer-reviewed; B reputable secondary; C third-party "
                           "transcription; R placeholder without a found source; derived: computed by the tool.",
                           "来源可靠性：A 官方或同行评审；B 可靠的二手来源；C 第三方转述；R 暂无出处的占位值；"
                           "derived 由工具计算。"),
    "indicator_trace": ("Which ledger rows and factors each value comes from", "各数值所依据的台账行和排放因子"),
    "col_rows": ("ledger rows", "台账行"),
    "col_factors": ("emission factors", "排放因子"),

    # --- opportunities page ---
    "opportunities_intro": ("Which by-products, wastes, water and waste heat one enterprise could pass to another, "
                            "chosen by an optimisation (MILP) to avoid as much CO2e as possible. Set the options, "
                            "force or forbid links, and run.",
                            "通过优化模型（混合整数线性规划）找出企业间可交换的副产物、废物、水和余热，使避免的二氧化碳"
                            "当量排放尽可能多。设置选项、强制或禁止链接后运行匹配。"),
    "options": ("Options", "选项"),
    "opt_objective": ("Objective", "优化目标"),
    "objective_emissions": ("most tCO2e avoided", "减排量最大"),
    "objective_cost": ("most value at the carbon price", "按碳价计的年收益最大"),
    "opt_objective_help": ("Most tCO2e avoided: maximise the net avoided tCO2e/a. Most value: maximise the carbon "
                           "value at the price below plus purchases and disposal fees saved, less the links' costs "
                           "(CNY/a). Least cost: the cheapest plan (CNY/a), reaching the target when one is set. "
                           "Most NPV: the net present value over the lifetime with the carbon value as income (CNY). "
                           "The budget and the target below bind every objective.",
                           "减排量最大：最大化年净减排量。收益最大：最大化按下方碳价计算的碳价值加上节省的采购和处置"
                           "费用，减去链接成本（元/年）。成本最低：年净成本最低的方案（元/年），设定目标时须达到目标。"
                           "净现值最大：寿命期内的净现值，碳价值计为收入（元）。下方的投资预算和减排目标对所有目标均"
                           "适用。"),
    "opt_carbon_price": ("Carbon price (CNY/tCO2e)", "碳价（元/吨CO2e）"),
    "opt_carbon_price_help": ("Used by the objectives 'most value' and 'most NPV' only.",
                              "仅在以收益最大或净现值最大为目标时使用。"),
    "opt_dt_min": ("ΔTmin for heat (K)", "换热最小温差 ΔTmin（K）"),
    "opt_dt_min_help": ("A heat source serves a sink only this much hotter than it, never upwards.",
                        "热源温度须比热阱高出此温差才能供热，热量不能向上传递。"),
    "opt_scope2": ("Count Scope 2", "计入范围二"),
    "opt_scope2_help": ("Scope 2 is purchased electricity and heat. Links are ranked by avoided Scope 1 + Scope 3; "
                        "tick to include avoided Scope 2 too.",
                        "范围二指外购电力和热力。链接默认按避免的范围一+范围三排放排序；勾选后同时计入避免的范围二排放。"),
    "opt_min_tco2e": ("Smallest net avoided emissions of a link (tCO2e/a)", "链接最小净减排量（tCO2e/a）"),
    "opt_min_tco2e_help": ("No dust links: a link must avoid at least this much a year to be proposed (water links "
                           "are held by their quantity instead). 0 = any size.",
                           "不提出零碎链接：每条链接年净减排量须至少达到此值（水链接按数量门槛）。0 表示不限。"),
    "opt_reach": ("Reach by mode (km): how far a link may go", "各运输方式的最大距离（km）"),
    # app.mode_<mode>: the core's transport-mode names (codes mode.<mode>), kept for the pages that ask for them
    # by this code; new code names a mode with word("mode", mode, lang).
    **{f"mode_{mode}": texts for mode, texts in MODE_NAMES.items()},
    "opt_min_links": ("Minimum link size by category", "各类别最小链接规模"),
    "opt_min_links_help": ("Links carrying less than this per year are not worth a contract or a pipe and are not "
                           "proposed.",
                           "年输送量低于此值的链接不值得签约或铺管，不予推荐。"),
    "cat_solid": ("solid by-products", "固体副产物"),
    "cat_organic": ("organic residues", "有机残渣"),
    "cat_raw_material": ("raw materials", "原材料"),
    "cat_liquid": ("liquids", "液体"),
    "cat_gas": ("gases", "气体"),
    "cat_water": ("water", "水"),
    "cat_wastewater": ("wastewater", "废水"),
    "cat_heat": ("heat", "热"),
    "cat_energy": ("energy", "能源"),
    "unit_of_solid": ("t/a", "吨/年"),
    "unit_of_organic": ("t/a", "吨/年"),
    "unit_of_raw_material": ("t/a", "吨/年"),
    "unit_of_liquid": ("t/a", "吨/年"),
    "unit_of_gas": ("t/a or GJ/a", "吨/年或GJ/年"),
    "unit_of_water": ("m³/a", "立方米/年"),
    "unit_of_wastewater": ("m³/a", "立方米/年"),
    "unit_of_heat": ("GJ/a", "GJ/年"),
    "unit_of_energy": ("GJ/a", "GJ/年"),
    "opt_solver": ("Solver: gap and time limit", "求解器：间隙与时间上限"),
    "opt_gap": ("Relative gap at which to stop", "停止求解的相对间隙"),
    "opt_gap_help": ("0.0001 = stop when the plan is proven within 0.01 % of the best possible.",
                     "0.0001 表示当方案被证明与最优解相差不超过 0.01% 时停止。"),
    "opt_time_limit": ("Time limit (s)", "时间上限（秒）"),
    "opt_time_limit_help": ("A solve stopped by the clock is shown as such, never as optimal.",
                            "因时间上限而停止的求解会如实标明，不会显示为最优。"),
    "force_forbid": ("Force or forbid links", "强制或禁止链接"),
    "force_forbid_help": ("A forced link is always in the plan; a forbidden one never. Find one link by its "
                          "supplier, material and receiver, then force or forbid it; one at a time.",
                          "强制的链接一定纳入方案，禁止的链接一定不纳入。按供方、物料和受方查找一条链接，"
                          "再强制或禁止它；每次一条。"),
    "forced_links": ("Forced links", "强制链接"),
    "forbidden_links": ("Forbidden links", "禁止链接"),
    "choose_links": ("Choose links (type to search)", "选择链接（可输入搜索）"),
    "forced_and_forbidden": ("Both forced and forbidden: {links}. Forced wins.",
                             "以下链接同时被强制和禁止：{links}。以强制为准。"),
    "run_matching": ("Run matching", "运行匹配"),
    "solving": ("Finding the best links (building and solving the model)…", "正在寻找最佳链接（建模并求解）……"),
    "solved": ("{links} link(s) proposed; solved in {seconds} s.", "推荐 {links} 条链接；求解用时 {seconds} 秒。"),
    "no_plan_yet": ("No plan yet: set the options and press Run matching.", "尚无方案：请设置选项后点击“运行匹配”。"),
    "plan_stale_park": ("The ledger changed since this plan was made: run matching again.",
                        "方案生成后台账已修改：请重新运行匹配。"),
    "plan_stale_options": ("The options or links changed since this plan was made: run matching again to apply them.",
                           "方案生成后选项或链接已更改：请重新运行匹配以生效。"),
    "solver_status": ("Solver status", "求解状态"),
    "status_optimal": ("OPTIMAL: the plan is proven to be the best possible (within the gap).",
                       "最优：已证明方案为最优（在间隙范围内）。"),
    "status_feasible": ("NOT PROVEN OPTIMAL: the solver stopped with a plan but a gap remains.",
                        "未证明最优：求解器已停止并给出方案，但仍存在间隙。"),
    "status_time_limit": ("NOT PROVEN OPTIMAL: stopped by the time limit; this is the best plan found so far.",
                          "未证明最优：达到时间上限而停止；这是目前找到的最好方案。"),
    "status_infeasible": ("INFEASIBLE: no plan meets the forced links and options. See the messages below.",
                          "无可行解：没有方案能同时满足强制链接和选项。请查看下方说明。"),
    "status_error": ("SOLVER ERROR: the solver failed; the plan is not usable.", "求解器出错：求解失败，方案不可用。"),
    "status_not_solved": ("NOT SOLVED.", "未求解。"),
    "status_empty": ("NOTHING TO MATCH: no candidate links under these options.", "无可匹配项：在当前选项下没有候选链接。"),
    "status_other": ("Status: {status}", "状态：{status}"),
    "short_optimal": ("optimal", "最优"),
    "short_feasible": ("not proven optimal (gap)", "未证明最优（有间隙）"),
    "short_time_limit": ("not proven optimal (time limit)", "未证明最优（达时间上限）"),
    "short_infeasible": ("infeasible", "无可行解"),
    "short_error": ("solver error", "求解出错"),
    "short_not_solved": ("not solved", "未求解"),
    "short_empty": ("nothing to match", "无可匹配项"),
    "status_detail": ("Objective {objective} · bound {bound} · gap {gap} · build {build} s · solve {solve} s · "
                      "{parts} sub-problem(s) · {links} link(s)",
                      "目标值 {objective} · 界 {bound} · 间隙 {gap} · 建模 {build} 秒 · 求解 {solve} 秒 · "
                      "{parts} 个子问题 · {links} 条链接"),
    "solver_messages": ("{n} message(s) from the solver", "求解器说明 {n} 条"),
    "lk_links": ("links", "链接数"),
    "lk_net_total": ("net avoided tCO2e/a", "年净减排 tCO2e"),
    "lk_scope1": ("avoided Scope 1", "避免范围一"),
    "lk_scope2": ("avoided Scope 2", "避免范围二"),
    "lk_scope3": ("avoided Scope 3", "避免范围三"),
    "lk_added": ("added (transport, energy)", "新增排放（运输、能耗）"),
    "lk_rank": ("rank", "排名"),
    "lk_supplier": ("from", "供方"),
    "lk_receiver": ("to", "需方"),
    "lk_material": ("material → replaces", "物料 → 替代"),
    "lk_quantity": ("quantity/a", "年量"),
    "lk_unit": ("unit", "单位"),
    "lk_distance_km": ("distance km", "距离 km"),
    "lk_mode": ("mode", "运输方式"),
    "lk_t_supply": ("supply °C", "供热温度 °C"),
    "lk_t_sink": ("sink °C", "热阱温度 °C"),
    "lk_net": ("net tCO2e/a", "净减排 tCO2e/a"),
    "lk_forced": ("forced", "强制"),
    "lk_hazardous": ("hazardous code", "危废代码"),
    "lk_factors": ("emission factors", "排放因子"),
    "lk_link": ("link (streams)", "链接（物料流）"),
    "ranked_links": ("Ranked links", "链接排序"),
    "ranked_links_help": ("Ranked by net avoided emissions (Scope 1 + Scope 3, and Scope 2 when counted) less what "
                          "the link adds. All emissions in tCO2e/a.",
                          "按净减排量排序（范围一+范围三，勾选时含范围二，减去链接新增的排放）。排放单位均为 tCO2e/年。"),
    "link_detail": ("A link in detail", "链接详情"),
    "choose_link": ("Link", "链接"),
    "col_what": ("about the link", "项目"),
    "lf_supplier": ("from (stream)", "供方（物料流）"),
    "lf_receiver": ("to (stream)", "需方（物料流）"),
    "lf_materials": ("material → what it replaces", "物料 → 替代对象"),
    "lf_quantity": ("quantity", "数量"),
    "lf_distance": ("distance", "距离"),
    "lf_reach": ("reach", "最大距离"),
    "lf_temperatures": ("temperatures", "温度"),
    "lf_net": ("net avoided", "净减排"),
    "lf_cost": ("annual net cost (negative: a saving)", "年净成本（负值为节省）"),
    "lf_rule": ("substitution rule", "替代规则"),
    "lf_hazardous": ("hazardous-waste code", "危废代码"),
    "lf_forced": ("forced", "强制"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "col_item": ("item", "项目"),
    "col_scope": ("scope", "范围"),
    "col_books": ("in the books of", "计入企业"),
    "item_avoided_scope1": ("avoided fuel combustion at the receiver", "需方避免的燃料燃烧"),
    "item_avoided_scope1_supplier": ("avoided venting or flaring at the supplier", "供方避免的放散或火炬燃烧"),
    "item_avoided_scope2": ("avoided purchased electricity or heat", "避免的外购电力或热力"),
    "item_avoided_scope3_cat1": ("avoided virgin material or water (cat. 1)", "避免的原生物料或用水（类别1）"),
    "item_avoided_scope3_cat5": ("avoided waste disposal (cat. 5)", "避免的废物处置（类别5）"),
    "item_added_transport": ("added transport (cat. 4)", "新增运输排放（类别4）"),
    "item_added_energy": ("added pumping and pre-treatment energy", "新增泵送和预处理能耗排放"),
    "item_added_combustion": ("added combustion of the substitute fuel", "新增替代燃料燃烧排放"),
    "item_added_construction": ("added construction (annualised)", "新增建设排放（年化）"),
    "item_added_displaced": ("the buyer's replacement of an output sold today (outside the park)",
                             "现状外售产出的原买方改用替代品（园区外）"),
    "fs_id": ("factor", "因子编号"),
    "fs_name": ("name", "名称"),
    "fs_value": ("value", "数值"),
    "fs_unit": ("unit", "单位"),
    "fs_year": ("year", "年份"),
    "fs_region": ("region", "地区"),
    "fs_source": ("source", "来源"),
    "fs_reliability": ("reliability", "可靠性"),
    "factor_unknown": ("not in datasets/emission_factors.csv", "不在 datasets/emission_factors.csv 中"),
    "keep_link": ("Force this link in future runs", "以后运行时强制此链接"),
    "forbid_link": ("Forbid this link", "禁止此链接"),
    "map": ("Map of the proposed links", "拟建链接分布图"),
    "map_title": ("Enterprises and proposed links (km)", "企业与拟建链接（km）"),
    "map_existing": ("existing exchanges", "现有交换"),
    "map_selected": ("selected link", "选中的链接"),
    "map_kind_material": ("material", "物料"),
    "map_kind_heat": ("heat", "热"),
    "map_kind_water": ("water", "水"),
    "map_kinds": ("Kinds of link", "链接类型"),
    "map_max_rank": ("Links ranked up to", "显示排名前"),
    "map_top_n": ("Label the top links", "标注前几条链接"),
    "map_zoom": ("Zoom to park/cluster", "缩放至园区/集群"),
    "map_zoom_all": ("All enterprises", "全部企业"),
    "map_zoom_cluster": ("Cluster {n}: {count} enterprises, {tco2e} tCO2e/a avoided",
                         "集群 {n}：{count} 家企业，年减排 {tco2e} tCO2e"),
    "map_help": ("A schematic at true scale (km; no basemap): arrows go from supplier to receiver, as wide as the "
                 "avoided tCO2e/a; the link chosen in the detail above is drawn over in black. Labels never overlap: "
                 "names that do not fit show on hover.",
                 "按真实比例（km，无底图）绘制的示意图：箭头由供方指向受方，线宽表示年减排量 tCO2e；"
                 "上方详情中选中的链接以黑色突出显示。标签互不重叠：放不下的名称悬停可见。"),
    "pick_link": ("Link (type an enterprise or material to search)", "链接（可输入企业名或物料搜索）"),
    "pick_link_placeholder": ("supplier — material → receiver — input (quantity)",
                              "供方 — 物料 → 受方 — 投入（数量）"),
    "pick_force": ("Force", "强制"),
    "pick_forbid": ("Forbid", "禁止"),
    "pick_remove": ("Remove", "移除"),
    "none_yet": ("none", "无"),
    "why_not": ("Why not matched?", "为何未匹配？"),
    "why_not_help": ("Pick any output or input to see how much of it the plan uses and, for what is left, why.",
                     "选择任一产出或投入，查看方案使用了多少，以及剩余部分未被匹配的原因。"),
    "explaining": ("Explaining what is left unmatched…", "正在分析未匹配的原因……"),
    "choose_stream": ("Stream", "物料流"),
    "choose_stream_placeholder": ("Choose a stream (type to search)", "选择物料流（可输入搜索）"),
    "dir_output": ("output", "产出"),
    "dir_input": ("input", "投入"),
    "why_answer": ("The plan uses {matched} of {total} {unit}; {left} {unit} is left because {reason}.",
                   "方案使用了 {total} {unit} 中的 {matched}；剩余 {left} {unit}，原因：{reason}。"),
    "fully_matched": ("Fully used by the plan: {links}.", "已被方案全部利用：{links}。"),
    "all_unmatched": ("Everything left unmatched ({n} streams)", "全部未匹配项（{n} 条物料流）"),
    "col_stream": ("stream", "物料流"),
    "col_direction": ("direction", "方向"),
    "col_material": ("material", "物料"),
    "col_unmatched": ("left", "剩余"),
    "col_reason": ("why", "原因"),

    # --- scenarios page ---
    "scenarios_intro": ("A scenario is what a group changed: the matching options, the forced and forbidden links, "
                        "and the ledger edits. Save each under a name, then compare two side by side. A scenario "
                        "file (.toml) can be downloaded and opened again here or with the symbiosis command.",
                        "情景即一个小组所做的改动：匹配选项、强制和禁止的链接以及台账修改。为每个情景命名保存，"
                        "再并排比较两个情景。情景文件（.toml）可下载，之后可在此处或用 symbiosis 命令打开。"),
    "current_scenario": ("The current scenario", "当前情景"),
    "current_summary": ("{edits} ledger edit(s), {forced} forced link(s), {forbidden} forbidden link(s); {plan}.",
                        "台账修改 {edits} 处，强制链接 {forced} 条，禁止链接 {forbidden} 条；{plan}。"),
    "sc_plan_current": ("plan: {status}, {links} link(s)", "方案：{status}，{links} 条链接"),
    "sc_no_plan": ("no plan for these settings yet", "当前设置下尚无方案"),
    "scenario_name": ("Name", "名称"),
    "scenario_name_hint": ("e.g. group A — no trucks over 20 km", "例如：A组——汽车运距不超过20公里"),
    "save_scenario": ("Save the current scenario", "保存当前情景"),
    "name_needed": ("Give the scenario a name first.", "请先为情景命名。"),
    "saved": ("Saved “{name}” with its plan.", "已保存“{name}”及其方案。"),
    "saved_without_plan": ("Saved “{name}” without a plan: the options changed since the last run. Run matching "
                           "and save again to keep the plan.",
                           "已保存“{name}”，但未含方案：上次运行后选项已更改。请运行匹配后再次保存以保留方案。"),
    "download_scenario": ("Download the current scenario (.toml)", "下载当前情景（.toml）"),
    "open_scenario_file": ("Open a scenario file (.toml)", "打开情景文件（.toml）"),
    "scenario_file_bad": ("The scenario file cannot be read: {reason}", "无法读取情景文件：{reason}"),
    "scenario_file_opened": ("Scenario opened: its edits are applied and its options set. Run matching on the "
                             "Opportunities page.",
                             "情景已打开：台账修改已应用，选项已设置。请到“机会”页运行匹配。"),
    "scenario_file_failed": ("The scenario could not be applied to this park: see the problems on the Data page.",
                             "该情景无法应用于当前园区：请在“数据”页查看问题。"),
    "saved_scenarios": ("Saved scenarios", "已保存的情景"),
    "none_saved": ("Nothing saved yet in this browser session.", "本浏览器会话中尚未保存任何情景。"),
    "sc_name": ("name", "名称"),
    "sc_edits": ("edits", "台账修改"),
    "sc_edit": ("edit", "修改"),
    "sc_reach": ("reach", "最大距离"),
    "sc_min": ("minimum link size", "最小链接规模"),
    "sc_forced": ("forced", "强制"),
    "sc_forbidden": ("forbidden", "禁止"),
    "sc_objective": ("objective", "目标"),
    "sc_status": ("solver status", "求解状态"),
    "sc_links": ("links", "链接数"),
    "sc_net": ("net avoided tCO2e/a", "年净减排 tCO2e"),
    "choose_saved": ("Saved scenario", "已保存的情景"),
    "load_scenario": ("Make it current again", "恢复为当前情景"),
    "loaded_scenario": ("“{name}” is the current scenario again.", "“{name}”已恢复为当前情景。"),
    "compare": ("Compare two scenarios", "比较两个情景"),
    "compare_needs_two": ("Save at least two scenarios to compare them.", "至少保存两个情景后才能比较。"),
    "scenario_a": ("Scenario A", "情景 A"),
    "scenario_b": ("Scenario B", "情景 B"),
    "cmp_net_total": ("{name}: net avoided tCO2e/a", "{name}：年净减排 tCO2e"),
    "cmp_added_n": ("links only in B", "仅 B 有的链接"),
    "cmp_removed_n": ("links only in A", "仅 A 有的链接"),
    "cmp_settings": ("**What differs in the settings**", "**设置差异**"),
    "cmp_setting": ("setting", "设置项"),
    "cmp_a": ("A", "A"),
    "cmp_b": ("B", "B"),
    "cmp_indicators": ("**Indicators, each with its plan**", "**指标（各自实施方案后）**"),
    "cmp_value_a": ("A", "A"),
    "cmp_value_b": ("B", "B"),
    "cmp_pass_a": ("A vs threshold", "A 是否达标"),
    "cmp_pass_b": ("B vs threshold", "B 是否达标"),
    "cmp_links": ("**Links added and removed (B against A)**", "**新增与取消的链接（B 相对于 A）**"),
    "cmp_same_links": ("Both plans have the same links with the same quantities.", "两个方案的链接及数量完全相同。"),
    "cmp_change": ("change", "变化"),
    "cmp_added": ("added in B", "B 新增"),
    "cmp_removed": ("removed in B", "B 取消"),
    "cmp_changed": ("quantity changed", "数量变化"),
    "cmp_quantity_a": ("quantity A", "A 数量"),
    "cmp_quantity_b": ("quantity B", "B 数量"),
    "cmp_net_a": ("net tCO2e/a A", "A 净减排"),
    "cmp_net_b": ("net tCO2e/a B", "B 净减排"),
    "cmp_difference": ("**What changes in the park's flows (B against A)**", "**园区物质能量流的变化（B 相对于 A）**"),
    "cmp_diff_level": ("flows between", "流的粒度"),
    "cmp_diff_level_enterprise": ("enterprises", "企业之间"),
    "cmp_diff_level_category": ("enterprises, by category", "企业之间，按类别"),
    "cmp_diff_level_material": ("enterprises, by material", "企业之间，按物料"),
    "cmp_diff_before": ("A = the park before any plan", "A = 未实施方案的园区现状"),
    "cmp_diff_unchanged": ("show unchanged flows", "显示未变化的流"),
    "cmp_diff_title": ("{b} against {a}: {basis} ({unit})", "{b} 相对于 {a}：{basis}（{unit}）"),
    "cmp_diff_before_name": ("before the plan", "方案实施前"),
    "cmp_diff_totals": ("Total of the flows: A {a} {unit}, B {b} {unit}, change {change} {unit}; {added} added, "
                        "{removed} removed, {grown} grown, {shrunk} shrunk.",
                        "流量合计：A {a} {unit}，B {b} {unit}，变化 {change} {unit}；新增 {added}、取消 {removed}、"
                        "增加 {grown}、减少 {shrunk} 条。"),
    "cmp_diff_none": ("No flow changes in this basis.", "按此口径没有流发生变化。"),
    "cmp_diff_from": ("from", "来源"),
    "cmp_diff_to": ("to", "去向"),
    "cmp_diff_what": ("material / category", "物料/类别"),
    "cmp_diff_a": ("quantity A ({unit})", "A 数量（{unit}）"),
    "cmp_diff_b": ("quantity B ({unit})", "B 数量（{unit}）"),
    "cmp_diff_change": ("change ({unit})", "变化量（{unit}）"),
    "cmp_diff_kind": ("kind of change", "变化类型"),

    # --- economics page (issue 16: app/economics.py, app/pages/economics.py) ---
    "page_economics": ("Economics", "经济性"),
    "econ_intro": ("What the current plan's links cost and earn: the marginal abatement cost curve (MACC), each "
                   "link's investment, operating cost, savings, net present value, payback and who pays and gains; "
                   "and the trade-off between avoided emissions and annual net cost. Method and sources: "
                   "docs/economics.md.",
                   "当前方案各链接的成本与收益：边际减排成本曲线（MACC），每条链接的投资、运行成本、节省、净现值、回收期"
                   "以及由谁承担、谁获益；以及减排量与年净成本之间的权衡。方法与数据来源见 docs/economics.md。"),
    "econ_no_plan": ("No plan yet: run matching on the Opportunities page to see what its links cost and earn.",
                     "尚无方案：请在“机会”页运行匹配，再查看各链接的成本与收益。"),
    "econ_macc": ("Marginal abatement cost curve", "边际减排成本曲线"),
    "econ_macc_help": ("One bar per link, cheapest per tonne first: width = tCO2e/a it avoids, height = CNY per "
                       "tCO2e (annual net cost with the investment annualised). Green bars are at or below the "
                       "carbon price: they pay for themselves at that price. Hover a bar for the link's facts.",
                       "每条链接一根柱，按每吨减排成本从低到高排列：柱宽为年减排量（tCO2e/a），柱高为每吨减排成本"
                       "（含年化投资的年净成本，元/tCO2e）。绿色柱不高于碳价：在该碳价下可自负盈亏。悬停可查看链接详情。"),
    "econ_opened_cap": ("This plan was opened from the trade-off curve: most emissions avoided with the annual net "
                        "cost capped at {cap} CNY/a. The cap is not one of the Opportunities page's options: running "
                        "matching there solves without it.",
                        "该方案由权衡曲线打开：在年净成本不超过 {cap} 元/年的前提下减排量最大。该上限不是“机会”页的选项："
                        "在那里重新运行匹配将不含此上限。"),
    "econ_carbon_price": ("Carbon price for the curve (CNY/tCO2e)", "曲线所用碳价（元/tCO2e）"),
    "econ_carbon_price_help": ("The line drawn across the curve; links at or below it pay for themselves. It starts "
                               "at the carbon price the plan was solved with and changes only this view.",
                               "曲线上的水平线；不高于该线的链接可自负盈亏。初始值为求解方案时的碳价，修改只影响本视图。"),
    "econ_step_costs": ("Costing the links", "计算链接经济性"),
    "econ_no_links": ("The plan has no link, so there is nothing to cost.", "方案没有链接，无需计算经济性。"),
    "econ_m_links": ("links on the curve", "曲线上的链接数"),
    "econ_m_tonnes": ("avoided, tCO2e/a", "减排量（tCO2e/a）"),
    "econ_m_below": ("at or below the price, tCO2e/a", "碳价以下（tCO2e/a）"),
    "econ_m_capex": ("investment, million CNY", "总投资（万元）"),
    "econ_m_annual": ("net cost, million CNY/a", "年净成本（万元/年）"),
    "econ_m_exact": ("{value} CNY", "{value} 元"),
    "econ_m_exact_a": ("{value} CNY/a", "{value} 元/年"),
    "econ_table": ("Each link's economics", "各链接的经济性"),
    "econ_download": ("Download the table (CSV)", "下载此表（CSV）"),
    "econ_tradeoff": ("Trade-off: avoided emissions against annual net cost", "权衡：减排量与年净成本"),
    "econ_tradeoff_help": ("Each point is a plan: the most net avoided emissions with the annual net cost (the "
                           "matcher's cost model) capped, from the cheapest plan to the greenest. Solving it takes "
                           "several MILPs, so it runs only when asked. Choose a point and open it as the current plan.",
                           "每个点是一个方案：在年净成本（匹配模型的成本口径）不超过上限的前提下净减排量最大，从成本最低的方案"
                           "到减排最多的方案。需要求解多个混合整数规划，因此仅在点击时计算。选择一个点即可将其设为当前方案。"),
    "econ_points": ("points between the ends", "两端之间的点数"),
    "econ_points_help": ("How many capped solves between the cheapest and the greenest plan.",
                         "在成本最低和减排最多的方案之间求解多少个带上限的方案。"),
    "econ_tradeoff_run": ("Compute the trade-off curve", "计算权衡曲线"),
    "econ_tradeoff_running": ("Solving {n} plans…", "正在求解 {n} 个方案……"),
    "econ_step_tradeoff": ("Computing the trade-off curve", "计算权衡曲线"),
    "econ_tradeoff_none": ("Not computed yet: press the button.", "尚未计算：请点击按钮。"),
    "econ_tradeoff_stale": ("The curve shown before was for another park, other options or another number of "
                            "points: compute it again.",
                            "之前的曲线针对其他园区、其他选项或其他点数：请重新计算。"),
    "econ_tradeoff_empty": ("The curve has no point.", "曲线没有任何点。"),
    "econ_point_choose": ("Point", "选择点"),
    "econ_point": ("P{k}: {tonnes} tCO2e/a for {cost} CNY/a (cap {cap} CNY/a; {links} link(s); {status})",
                   "P{k}：{tonnes} tCO2e/a，{cost} 元/年（上限 {cap} 元/年；{links} 条链接；{status}）"),
    "econ_point_open": ("Open this point as the current plan", "将此点设为当前方案"),
    "econ_tp_point": ("point", "点"),
    "econ_tp_cap": ("cap on the annual net cost (CNY/a)", "年净成本上限（元/年）"),
    "econ_tp_net": ("net avoided (tCO2e/a)", "净减排量（tCO2e/a）"),
    "econ_tp_cost": ("annual net cost (CNY/a)", "年净成本（元/年）"),
    "econ_tp_links": ("links", "链接数"),
    "econ_tp_status": ("solver status", "求解状态"),
    "econ_tp_gap": ("gap", "间隙"),
    "econ_tp_curve": ("trade-off", "权衡曲线"),
    "econ_tp_chosen": ("chosen", "已选择"),
    "econ_tp_open": ("current plan", "当前方案"),
    "econ_tp_title": ("Net avoided emissions against annual net cost", "净减排量与年净成本"),
    "econ_tp_x": ("Annual net cost of the plan (CNY/a)", "方案年净成本（元/年）"),
    "econ_tp_y": ("Net avoided emissions (tCO2e/a)", "净减排量（tCO2e/a）"),
    "econ_tp_hover": ("{point}: {net} tCO2e/a for {cost} CNY/a<br>cap {cap} CNY/a · {links} link(s) · {status} · "
                      "gap {gap}",
                      "{point}：{net} tCO2e/a，{cost} 元/年<br>上限 {cap} 元/年 · {links} 条链接 · {status} · 间隙 {gap}"),

    # --- export page ---
    "export_intro": ("Take the work home: every file opens in Excel (CSV in UTF-8 with BOM, or XLSX).",
                     "导出成果：所有文件均可用 Excel 打开（UTF-8 带 BOM 的 CSV，或 XLSX）。"),
    "export_park": ("The cleaned park", "清洗后的园区数据"),
    "export_park_help": ("The ledgers as loaded and checked, with this scenario's {edits} edit(s) applied; they load "
                         "back into the app or the symbiosis command.",
                         "经加载和校验的台账，已应用本情景的 {edits} 处修改；可重新导入本应用或 symbiosis 命令。"),
    "export_plan": ("The plan", "方案"),
    "export_no_plan": ("No plan for the open park yet: run matching on the Opportunities page.",
                       "当前园区尚无方案：请在“机会”页运行匹配。"),
    "export_indicators": ("The indicators", "指标"),
    "export_all": ("Everything", "全部"),
    "dl_csv_zip": ("CSV files (.zip)", "CSV 文件（.zip）"),
    "dl_csv": ("CSV", "CSV"),
    "dl_xlsx": ("Excel (.xlsx)", "Excel（.xlsx）"),
    "dl_json": ("plan.json (for the symbiosis command)", "plan.json（供 symbiosis 命令使用）"),
    "dl_all_xlsx": ("One workbook: ledgers, links and indicators", "一个工作簿：台账、链接和指标"),
    "export_safety": ("Text cells that begin with =, +, - or @ are written with a leading ' so that Excel shows "
                      "them as text and never runs them; numbers stay numbers.",
                      "以 =、+、-、@ 开头的文本单元格会加上前导单引号，Excel 将其显示为文本而不会执行；数值保持为数值。"),

    # --- objectives a planner asks for (issue 16): budget, target, the plan's money ---
    "objective_least_cost": ("least cost (for a target)", "成本最低（达到目标）"),
    "objective_npv": ("most net present value at the carbon price", "按碳价计的净现值最大"),
    "opt_budget": ("Investment budget (million CNY)", "投资预算（百万元）"),
    "opt_budget_help": ("The most the plan's links may cost to build, all together (CAPEX). Empty: no budget. "
                        "With 'most tCO2e avoided': the most tonnes within this budget.",
                        "方案全部链接的建设投资（CAPEX）上限。留空：不设预算。以减排量最大为目标时：在此预算内减排"
                        "最多。"),
    "opt_target": ("Target, net avoided (tCO2e/a)", "减排目标，净减排（tCO2e/年）"),
    "opt_target_help": ("The plan must avoid at least this much, net. Empty: no target. With 'least cost': the "
                        "cheapest plan reaching it.",
                        "方案的净减排量须至少达到此值。留空：不设目标。以成本最低为目标时：达到目标的最便宜方案。"),
    "opt_target_least_cost_none": ("Least cost without a target is the cheapest plan: the links that pay for "
                                   "themselves.", "不设目标时，成本最低即最便宜的方案：只建自身盈利的链接。"),
    "plan_solved_for": ("Solved for: {objective}", "求解目标：{objective}"),
    "plan_budget": ("investment budget {budget} million CNY", "投资预算 {budget} 百万元"),
    "plan_target": ("target {target} tCO2e/a net avoided", "减排目标 {target} tCO2e/年（净）"),
    "plan_carbon_price": ("carbon price {price} CNY/tCO2e", "碳价 {price} 元/吨CO2e"),
    "plan_capex": ("Investment (million CNY)", "投资（百万元）"),
    "plan_capex_help": ("The sum of the links' investment (CAPEX), as on the Economics page.",
                        "各链接建设投资（CAPEX）之和，与“经济性”页一致。"),
    "plan_annual_cost": ("Annual net cost (million CNY/a)", "年净成本（百万元/年）"),
    "plan_annual_cost_help": ("Costs less savings per year, all links; negative: the plan saves money.",
                              "全部链接每年的成本减去节省；负值表示方案节省费用。"),
    "plan_budget_used": ("{share} of the budget", "占预算 {share}"),
})


def t(key: str, lang: Lang | str = "en", **params: Any) -> str:
    """The label `key` in `lang`, with `params` filled in (symbiosis.core.i18n.render of `app.<key>`). An unknown
    key is a bug: it raises KeyError. Re-exported from symbiosis.core.i18n: `pick(en, zh, lang)` and
    `lang_column(en_col, zh_col, lang)` for texts that come with both languages from elsewhere (datasets, flows,
    matching), `word(table, key, lang)` for a value of a registered vocabulary ("mode", "category", ...)."""
    return render(S.code(key), lang, **params)
