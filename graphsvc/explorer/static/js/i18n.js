// The page's words in Chinese (the default) and English; data from the graph stays as it is.

const LANGUAGE_KEY = "graphsvc.explorer.language";

const zh = {
  "app.title": "科技特派员图谱浏览",
  "app.tagline": "规划人员的图谱视图",
  "nav.search": "搜索", "nav.recommend": "推荐", "nav.clusters": "产业集群", "nav.coverage": "覆盖", "nav.collaboration": "合作网络",
  "token.label": "访问令牌", "token.placeholder": "Bearer 令牌", "token.use": "使用", "token.clear": "清除",
  "token.set": "已设置令牌（仅本标签页）", "token.none": "未设置令牌：公开权限",
  "language.toggle": "English",
  "view.search": "搜索", "view.entity": "实体", "view.recommend": "推荐与解释路径", "view.clusters": "产业—专家集群",
  "view.coverage": "覆盖情况", "view.collaboration": "合作网络",
  "loading": "加载中…", "yes": "是", "no": "否",
  "role.public": "公开", "role.portal": "门户（portal）", "role.planner": "规划（planner）", "role.admin": "管理员（admin）",
  "error.auth": "令牌无效或未知（HTTP 401）。请在右上角输入有效的访问令牌。",
  "error.forbidden": "当前令牌的权限不足：此视图需要{role}或更高权限。请在右上角输入相应令牌。",
  "error.unavailable": "服务正在加载图数据，请稍后重试。",
  "error.input": "服务拒绝了请求", "error.network": "无法连接服务", "error.unexpected": "页面出错",
  "table.empty": "无数据", "table.kind": "类型", "table.count": "数量",
  "search.placeholder": "输入名称、标题或关键词，例如 水稻", "search.kind": "类型", "search.anyKind": "全部类型",
  "search.go": "搜索", "search.results": "搜索结果", "search.none": "没有找到匹配的对象。", "search.matched": "命中",
  "search.overview": "图谱概况", "search.hint": "搜索专家、企业、机构、需求或成果，点击结果查看其关系网络。",
  "entity.facts": "基本信息", "entity.notFound": "没有找到该对象（或当前权限不可见）。", "entity.unknownKind": "无法显示此类对象。",
  "action.collaboration": "查看合作网络", "action.recommend": "查看推荐",
  "fact.title": "职称", "fact.commissioner": "科技特派员", "fact.load": "当前服务 / 容量", "fact.institution": "所属机构",
  "fact.city": "所在城市", "fact.size": "规模", "fact.benchmark": "标杆企业", "fact.highTech": "高新技术企业",
  "fact.threeNo": "“三无”企业", "fact.rd": "研发人员 / 研发平台 / 研发投入（万元）", "fact.founded": "成立年份",
  "fact.county": "所在县区", "fact.kind": "类别", "fact.capacity": "容量", "fact.pairings": "结对企业数",
  "fact.status": "状态", "fact.postedOn": "发布日期", "fact.budget": "预算（万元）", "fact.enterprise": "发布企业",
  "fact.description": "描述", "fact.maturity": "成熟度", "fact.price": "价格（万元）", "fact.listedOn": "挂牌日期",
  "fact.code": "代码", "fact.tags": "标签", "fact.poverty": "脱贫县", "fact.counties": "县区数", "fact.members": "成员数",
  "fact.heldOn": "举办日期", "fact.organizer": "主办方", "fact.attendees": "参加人数",
  "recommend.demand": "需求", "recommend.enterprise": "企业", "recommend.demandKey": "需求编号或名称",
  "recommend.enterpriseKey": "企业编号或名称", "recommend.go": "推荐", "recommend.openDemands": "待解决的需求",
  "recommend.experts": "专家", "recommend.institutions": "机构", "recommend.achievements": "成果",
  "recommend.none": "没有推荐结果。", "recommend.ranked": "推荐排名", "recommend.clickHint": "点击左侧的推荐对象，在图中突出显示它的解释路径。",
  "recommend.score": "得分", "recommend.reasons": "推荐理由", "recommend.paths": "解释路径（占得分比例）", "recommend.allPaths": "显示全部路径",
  "clusters.projection": "投影", "clusters.resolution": "分辨率", "clusters.first": "集群数", "clusters.go": "计算",
  "clusters.summary": "共 {count} 个集群，{experts} 位专家，{edges} 条加权联系；模块度 {modularity}；{unassigned} 个待解决需求不属于任何集群。",
  "clusters.drawingHint": "每个集群一种颜色：内圈为产业，外圈为联系最紧密的专家。点击表格中的集群编号以突出显示。",
  "clusters.table": "集群概要", "clusters.id": "集群", "clusters.size": "专家数", "clusters.industries": "主要产业",
  "clusters.experts": "核心专家", "clusters.counties": "服务县区", "clusters.openDemands": "待解决需求", "clusters.balance": "需求/专家",
  "clusters.gaps": "产业缺口", "clusters.gapsHint": "按压力（待解决需求 ÷（可及专家 + 1））排序。",
  "gaps.rank": "排名", "gaps.industry": "产业", "gaps.cluster": "所属集群", "gaps.openDemands": "待解决需求",
  "gaps.experts": "可及专家", "gaps.commissioners": "其中特派员", "gaps.pressure": "压力",
  "projection.INDUSTRY_EXPERT": "产业—专家", "projection.COLLABORATION": "合作关系",
  "coverage.pairing": "标杆企业结对覆盖率", "coverage.commissioner": "县区特派员覆盖率", "coverage.povertyCommissioner": "脱贫县特派员覆盖率",
  "coverage.povertyServed": "脱贫县服务覆盖率", "coverage.threeNo": "“三无”企业占比",
  "coverage.cities": "各市覆盖", "coverage.counties": "各县区覆盖", "coverage.countiesHint": "点击表头排序。“?”表示列表未给出。",
  "coverage.city": "城市", "coverage.county": "县区", "coverage.countyCount": "县区数", "coverage.withCommissioner": "有特派员的县区",
  "coverage.commissionerShare": "特派员覆盖率", "coverage.benchmark": "标杆企业", "coverage.paired": "已结对",
  "coverage.pairingShare": "结对覆盖率", "coverage.openDemands": "待解决需求", "coverage.poverty": "脱贫县",
  "coverage.hasCommissioner": "有特派员", "coverage.expertsInReach": "可及专家", "coverage.pressure": "需求压力",
  "coverage.threeNoList": "“三无”企业（无研发人员、无研发平台、无研发投入）", "coverage.threeNoShown": "显示 {shown} / {total} 家",
  "coverage.more": "加载更多", "coverage.enterprise": "企业", "coverage.size": "规模", "coverage.industry": "产业",
  "coverage.isBenchmark": "标杆", "coverage.isPaired": "已结对",
  "plan.title": "方案试算（提交前预览）", "plan.hint": "方案只是试算，不改变任何数据；核对后由管理员通过 commitPlan 提交。填写“移除”可比较去掉某些机构或专家后的覆盖变化。",
  "plan.kind": "方案", "plan.kind.PAIRING": "标杆企业结对", "plan.kind.COMMISSIONERS": "科技特派员派驻",
  "plan.mode": "模式", "plan.mode.OPTIMAL": "总匹配度最优", "plan.mode.STABLE": "稳定匹配",
  "plan.remove": "移除（假设）", "plan.removeHint": "机构或专家编号，逗号分隔", "plan.go": "试算",
  "plan.notCommitted": "未提交的方案", "plan.version": "图版本", "plan.term": "任期",
  "plan.coverage": "覆盖（方案前 → 方案后）", "plan.assigned": "新分配", "plan.kept": "保留已有", "plan.unassigned": "未能分配",
  "plan.totalFit": "总匹配度", "plan.byCounty": "各县区覆盖变化", "plan.inScope": "范围内企业", "plan.before": "方案前",
  "plan.after": "方案后", "plan.gain": "增加", "plan.assignments": "分配明细", "plan.shown": "（显示 {shown} / {total}）",
  "plan.partner": "机构 / 专家", "plan.score": "匹配度", "plan.round": "轮次", "plan.reasons": "理由",
  "plan.unassignedList": "未能分配的企业", "plan.code": "原因代码", "plan.reason": "原因",
  "plan.whatIf": "假设分析：移除后的变化", "plan.whatIfSummary": "覆盖 {base} → {variant}（共 {total}，变化 {change}），{moved} 家企业的匹配改变。",
  "plan.whatIfCounties": "各县区的变化", "plan.whatIfIndustries": "各产业的变化", "plan.group": "县区 / 产业", "plan.base": "原方案", "plan.variant": "移除后", "plan.change": "变化",
  "collaboration.expert": "专家", "collaboration.other": "到专家", "collaboration.expertKey": "专家编号或姓名",
  "collaboration.depth": "层数", "collaboration.go": "查看", "collaboration.network": "合作网络（以该专家为中心）",
  "collaboration.networkSummary": "{depth} 层内可达 {reachable} 位专家，显示 {shown} 位。点击专家以其为中心。",
  "collaboration.noExperts": "没有专家。", "collaboration.path": "合作路径",
  "collaboration.noPath": "{from} 与 {to} 之间在 6 步内没有合作链。", "collaboration.pathSummary": "{length} 步，距离 {distance}（越小联系越强）",
  "collaboration.brokers": "中间人（中介中心性）", "collaboration.brokersHint": "连接不同专家群体的关键人物；点击姓名查看其合作网络。",
  "brokers.rank": "排名", "brokers.expert": "专家", "brokers.institution": "机构", "brokers.score": "中介中心性",
  "brokers.degree": "合作者数", "brokers.strength": "联系强度",
  "kind.Expert": "专家", "kind.Enterprise": "企业", "kind.Institution": "机构", "kind.Demand": "需求", "kind.Achievement": "成果",
  "kind.Industry": "产业", "kind.Keyword": "关键词", "kind.City": "城市", "kind.County": "县区", "kind.Subgroup": "服务分团", "kind.Training": "培训",
  "rel.IN_CITY": "属于城市", "rel.SUBCLASS_OF": "上下级产业", "rel.COVERS": "覆盖产业", "rel.LOCATED_IN": "位于",
  "rel.AFFILIATED_WITH": "任职于", "rel.BASED_IN": "常驻", "rel.MEMBER_OF": "所属分团", "rel.EXPERT_IN": "专业领域",
  "rel.HAS_SKILL": "擅长", "rel.IN_INDUSTRY": "所属产业", "rel.POSTED": "发布", "rel.CONCERNS": "涉及产业",
  "rel.MENTIONS": "提及", "rel.OWNS": "拥有", "rel.APPLIES_TO": "适用产业", "rel.SERVED": "服务", "rel.ADDRESSED": "响应",
  "rel.PAIRED_WITH": "结对", "rel.DEAL": "交易", "rel.COLLABORATES_WITH": "合作", "rel.ATTENDED": "参加", "rel.HELD_IN": "举办地",
  "tie.coauthor": "合著", "tie.project": "项目", "tie.service_team": "服务团队", "tie.other": "其他合作",
  "tie.commissioner_team": "特派员团队", "tie.same_enterprise": "服务同一企业", "tie.same_achievement": "共有成果",
  "status.open": "待解决", "status.matched": "已对接", "status.solved": "已解决", "status.closed": "已关闭",
  "size.micro": "微型", "size.small": "小型", "size.medium": "中型", "size.large": "大型",
  "institutionKind.university": "高校", "institutionKind.institute": "科研院所", "institutionKind.rnd_institution": "新型研发机构",
  "institutionKind.enterprise_lab": "企业实验室", "institutionKind.service_platform": "服务平台",
  "achievementKind.patent": "专利", "achievementKind.software": "软件", "achievementKind.variety": "品种",
  "achievementKind.standard": "标准", "achievementKind.technique": "技术", "achievementKind.other": "其他",
  "trainingKind.class": "培训班", "trainingKind.base_visit": "基地观摩", "trainingKind.study_point": "学习点", "trainingKind.online": "线上",
};

const en = {
  "app.title": "S&T Commissioner Graph Explorer",
  "app.tagline": "The planners' view of the graph",
  "nav.search": "Search", "nav.recommend": "Recommendations", "nav.clusters": "Clusters", "nav.coverage": "Coverage", "nav.collaboration": "Collaboration",
  "token.label": "Token", "token.placeholder": "bearer token", "token.use": "Use", "token.clear": "Clear",
  "token.set": "Token set (this tab only)", "token.none": "No token: public access",
  "language.toggle": "中文",
  "view.search": "Search", "view.entity": "Entity", "view.recommend": "Recommendations and their paths", "view.clusters": "Industry–expert clusters",
  "view.coverage": "Coverage", "view.collaboration": "Collaboration network",
  "loading": "Loading…", "yes": "yes", "no": "no",
  "role.public": "public", "role.portal": "portal", "role.planner": "planner", "role.admin": "admin",
  "error.auth": "The token is invalid or unknown (HTTP 401). Enter a valid token at the top right.",
  "error.forbidden": "Your token's role is not enough: this view needs the {role} role or higher. Enter such a token at the top right.",
  "error.unavailable": "The service is still loading the graph; try again shortly.",
  "error.input": "The service refused the request", "error.network": "The service cannot be reached", "error.unexpected": "The page failed",
  "table.empty": "Nothing to show", "table.kind": "Kind", "table.count": "Count",
  "search.placeholder": "a name, title or keyword, e.g. 水稻", "search.kind": "Kind", "search.anyKind": "Any kind",
  "search.go": "Search", "search.results": "Results", "search.none": "Nothing matches.", "search.matched": "matched",
  "search.overview": "The graph", "search.hint": "Search experts, enterprises, institutions, demands or achievements; open a result to see its neighbourhood.",
  "entity.facts": "Key facts", "entity.notFound": "Not found (or not visible to your role).", "entity.unknownKind": "This kind of object cannot be shown.",
  "action.collaboration": "Collaboration network", "action.recommend": "Recommendations",
  "fact.title": "Title", "fact.commissioner": "S&T commissioner", "fact.load": "Serving / capacity", "fact.institution": "Institution",
  "fact.city": "City", "fact.size": "Size", "fact.benchmark": "Benchmark enterprise", "fact.highTech": "High-tech",
  "fact.threeNo": "Three-no enterprise", "fact.rd": "R&D staff / platform / spending (10k CNY)", "fact.founded": "Founded",
  "fact.county": "County", "fact.kind": "Kind", "fact.capacity": "Capacity", "fact.pairings": "Paired enterprises",
  "fact.status": "Status", "fact.postedOn": "Posted on", "fact.budget": "Budget (10k CNY)", "fact.enterprise": "Posted by",
  "fact.description": "Description", "fact.maturity": "Maturity", "fact.price": "Price (10k CNY)", "fact.listedOn": "Listed on",
  "fact.code": "Code", "fact.tags": "Tags", "fact.poverty": "Poverty county", "fact.counties": "Counties", "fact.members": "Members",
  "fact.heldOn": "Held on", "fact.organizer": "Organizer", "fact.attendees": "Attendees",
  "recommend.demand": "Demand", "recommend.enterprise": "Enterprise", "recommend.demandKey": "demand key or title",
  "recommend.enterpriseKey": "enterprise key or name", "recommend.go": "Recommend", "recommend.openDemands": "Open demands",
  "recommend.experts": "Experts", "recommend.institutions": "Institutions", "recommend.achievements": "Achievements",
  "recommend.none": "No recommendations.", "recommend.ranked": "Ranked", "recommend.clickHint": "Click a recommendation to highlight its explanation paths in the drawing.",
  "recommend.score": "Score", "recommend.reasons": "Reasons", "recommend.paths": "Explanation paths (share of the score)", "recommend.allPaths": "Show all paths",
  "clusters.projection": "Projection", "clusters.resolution": "Resolution", "clusters.first": "Clusters", "clusters.go": "Compute",
  "clusters.summary": "{count} clusters over {experts} experts and {edges} weighted ties; modularity {modularity}; {unassigned} open demands belong to no cluster.",
  "clusters.drawingHint": "One colour per cluster: its industries on the inner ring, its most tied experts outside. Click a cluster's number in the table to highlight it.",
  "clusters.table": "Clusters", "clusters.id": "Cluster", "clusters.size": "Experts", "clusters.industries": "Top industries",
  "clusters.experts": "Core experts", "clusters.counties": "Counties served", "clusters.openDemands": "Open demands", "clusters.balance": "Demands per expert",
  "clusters.gaps": "Industry gaps", "clusters.gapsHint": "By pressure: open demands ÷ (experts within reach + 1).",
  "gaps.rank": "Rank", "gaps.industry": "Industry", "gaps.cluster": "Cluster", "gaps.openDemands": "Open demands",
  "gaps.experts": "Experts in reach", "gaps.commissioners": "Of them commissioners", "gaps.pressure": "Pressure",
  "projection.INDUSTRY_EXPERT": "industry–expert", "projection.COLLABORATION": "collaboration",
  "coverage.pairing": "Benchmark enterprises paired", "coverage.commissioner": "Counties with a commissioner", "coverage.povertyCommissioner": "Poverty counties with a commissioner",
  "coverage.povertyServed": "Poverty counties served", "coverage.threeNo": "Three-no enterprises",
  "coverage.cities": "By city", "coverage.counties": "By county", "coverage.countiesHint": "Click a header to sort. \"?\" means the list did not say.",
  "coverage.city": "City", "coverage.county": "County", "coverage.countyCount": "Counties", "coverage.withCommissioner": "With a commissioner",
  "coverage.commissionerShare": "Commissioner coverage", "coverage.benchmark": "Benchmark", "coverage.paired": "Paired",
  "coverage.pairingShare": "Pairing coverage", "coverage.openDemands": "Open demands", "coverage.poverty": "Poverty county",
  "coverage.hasCommissioner": "Commissioner", "coverage.expertsInReach": "Experts in reach", "coverage.pressure": "Pressure",
  "coverage.threeNoList": "Three-no enterprises (no R&D staff, platform or spending)", "coverage.threeNoShown": "{shown} of {total} shown",
  "coverage.more": "Load more", "coverage.enterprise": "Enterprise", "coverage.size": "Size", "coverage.industry": "Industry",
  "coverage.isBenchmark": "Benchmark", "coverage.isPaired": "Paired",
  "plan.title": "Plan preview (before commit)", "plan.hint": "A plan changes nothing; once checked, an admin commits it with commitPlan. Fill in \"remove\" to compare coverage without some institutions or experts.",
  "plan.kind": "Plan", "plan.kind.PAIRING": "benchmark pairing", "plan.kind.COMMISSIONERS": "commissioners",
  "plan.mode": "Mode", "plan.mode.OPTIMAL": "optimal total fit", "plan.mode.STABLE": "stable matching",
  "plan.remove": "Remove (what-if)", "plan.removeHint": "institution or expert keys, comma-separated", "plan.go": "Plan",
  "plan.notCommitted": "Not committed", "plan.version": "graph version", "plan.term": "term",
  "plan.coverage": "Coverage (before → with the plan)", "plan.assigned": "Assigned", "plan.kept": "kept", "plan.unassigned": "Left unassigned",
  "plan.totalFit": "Total fit", "plan.byCounty": "Coverage by county", "plan.inScope": "In scope", "plan.before": "Before",
  "plan.after": "After", "plan.gain": "Gain", "plan.assignments": "Assignments", "plan.shown": "({shown} of {total} shown)",
  "plan.partner": "Institution / expert", "plan.score": "Fit", "plan.round": "Round", "plan.reasons": "Reasons",
  "plan.unassignedList": "Enterprises left unassigned", "plan.code": "Code", "plan.reason": "Reason",
  "plan.whatIf": "What-if: the change without them", "plan.whatIfSummary": "Covered {base} → {variant} of {total} (change {change}); {moved} enterprises change match.",
  "plan.whatIfCounties": "Change by county", "plan.whatIfIndustries": "Change by industry", "plan.group": "County / industry", "plan.base": "Base", "plan.variant": "Variant", "plan.change": "Change",
  "collaboration.expert": "Expert", "collaboration.other": "To expert", "collaboration.expertKey": "expert key or name",
  "collaboration.depth": "Depth", "collaboration.go": "Show", "collaboration.network": "Ego network",
  "collaboration.networkSummary": "{reachable} experts within {depth} ties, {shown} shown. Click an expert to centre on them.",
  "collaboration.noExperts": "No experts.", "collaboration.path": "Path between two experts",
  "collaboration.noPath": "No chain of at most 6 ties links {from} and {to}.", "collaboration.pathSummary": "{length} ties, distance {distance} (smaller: stronger ties)",
  "collaboration.brokers": "Brokers (betweenness)", "collaboration.brokersHint": "Experts who link otherwise separate groups; click a name to see their network.",
  "brokers.rank": "Rank", "brokers.expert": "Expert", "brokers.institution": "Institution", "brokers.score": "Betweenness",
  "brokers.degree": "Collaborators", "brokers.strength": "Tie strength",
  "kind.Expert": "Expert", "kind.Enterprise": "Enterprise", "kind.Institution": "Institution", "kind.Demand": "Demand", "kind.Achievement": "Achievement",
  "kind.Industry": "Industry", "kind.Keyword": "Keyword", "kind.City": "City", "kind.County": "County", "kind.Subgroup": "Subgroup", "kind.Training": "Training",
  "rel.IN_CITY": "in city", "rel.SUBCLASS_OF": "industry tree", "rel.COVERS": "covers", "rel.LOCATED_IN": "located in",
  "rel.AFFILIATED_WITH": "affiliated with", "rel.BASED_IN": "based in", "rel.MEMBER_OF": "member of", "rel.EXPERT_IN": "expert in",
  "rel.HAS_SKILL": "has skill", "rel.IN_INDUSTRY": "in industry", "rel.POSTED": "posted", "rel.CONCERNS": "concerns",
  "rel.MENTIONS": "mentions", "rel.OWNS": "owns", "rel.APPLIES_TO": "applies to", "rel.SERVED": "served", "rel.ADDRESSED": "addressed",
  "rel.PAIRED_WITH": "paired with", "rel.DEAL": "deal", "rel.COLLABORATES_WITH": "collaborates with", "rel.ATTENDED": "attended", "rel.HELD_IN": "held in",
  "tie.coauthor": "co-author", "tie.project": "project", "tie.service_team": "service team", "tie.other": "other",
  "tie.commissioner_team": "commissioner team", "tie.same_enterprise": "same enterprise", "tie.same_achievement": "same achievement",
  "status.open": "open", "status.matched": "matched", "status.solved": "solved", "status.closed": "closed",
  "size.micro": "micro", "size.small": "small", "size.medium": "medium", "size.large": "large",
  "institutionKind.university": "university", "institutionKind.institute": "research institute", "institutionKind.rnd_institution": "R&D institution",
  "institutionKind.enterprise_lab": "enterprise lab", "institutionKind.service_platform": "service platform",
  "achievementKind.patent": "patent", "achievementKind.software": "software", "achievementKind.variety": "variety",
  "achievementKind.standard": "standard", "achievementKind.technique": "technique", "achievementKind.other": "other",
  "trainingKind.class": "class", "trainingKind.base_visit": "base visit", "trainingKind.study_point": "study point", "trainingKind.online": "online",
};

export const STRINGS = { zh, en };

const explorer = (window.explorer = window.explorer || {});
explorer.missingStrings = explorer.missingStrings || [];

let language = localStorage.getItem(LANGUAGE_KEY) === "en" ? "en" : "zh";

export function getLanguage() {
  return language;
}

/** Switch the page's language ("zh" or "en") and remember it in this browser. */
export function setLanguage(next) {
  language = next === "en" ? "en" : "zh";
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language === "en" ? "en" : "zh-CN";
}

/** The text of `key` in the current language, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  let text = STRINGS[language][key];
  if (text === undefined) {
    if (!explorer.missingStrings.includes(`${language}:${key}`)) explorer.missingStrings.push(`${language}:${key}`);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export const kindName = (label) => t(`kind.${label}`);
export const relName = (type) => t(`rel.${type}`);
export const tieKind = (kind) => t(`tie.${kind}`);

/** Fill every [data-i18n] element's text (and [data-i18n-placeholder] placeholders) under root. */
export function translate(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((element) => (element.textContent = t(element.dataset.i18n)));
  root.querySelectorAll("[data-i18n-placeholder]").forEach((element) => (element.placeholder = t(element.dataset.i18nPlaceholder)));
  document.title = t("app.title");
}
