// Chinese labels of the dashboard (看板): first-response buckets, headline figures and
// the error codes of GET /api/agent/supervisor/report.

export const BUCKETS = {
  le_1s: "≤1秒",
  "1_5s": "1–5秒",
  "5_10s": "5–10秒",
  "10_30s": "10–30秒",
  "30_60s": "30–60秒",
  "1_3min": "1–3分钟",
  gt_3min: ">3分钟",
  unanswered: "未回复",
};

export const FIGURES = {
  share_within_target: "30 秒内回复率",
  containment: "机器人独立解决率",
  handoff_rate: "转人工率",
  acceptance_p50: "接入用时 中位数",
  acceptance_p90: "接入用时 P90",
  acceptance_max: "接入用时 最长",
  breaches: "超时未接入",
  fallback_rate: "未识别率",
  negative_rate: "负面情绪占比",
  buyer_messages: "买家消息",
  conversations: "会话数",
};

export const CHARTS = {
  first_response: "首次响应时间分布",
  daily_share: "每日 30 秒内回复率",
  reasons: "转人工原因",
  intents: "热门意图 Top 10",
  etiquette: "客服礼仪提醒",
};

export const REPORT_ERRORS = {
  bad_date: "日期格式不正确，请重新选择",
  bad_range: "日期范围不正确：结束日期不能早于开始日期，且最多 366 天",
};

export const bucketText = (name) => BUCKETS[name] || name;
