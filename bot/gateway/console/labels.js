// Chinese labels for the codes the gateway sends.

export const REASONS = {
  request_human: "买家要求人工",
  threat: "扬言投诉/差评",
  complaint: "投诉",
  strong_negative: "情绪强烈不满",
  frustration: "多次表达不满",
  repeated_fallback: "机器人多次没听懂",
  repeated_question: "同一问题反复询问",
  assistant_unavailable: "智能客服故障",
};

export const SENTIMENTS = { negative: "负面", neutral: "中性", positive: "正面" };

export const INTENTS = {
  ask_stock: "问库存",
  ask_size: "问尺码",
  ask_shipping: "问物流运费",
  ask_return: "退换货",
  ask_discount: "问优惠",
  request_human: "要求人工",
  ask_material: "问材质",
  ask_invoice: "问发票",
  ask_payment: "问支付",
  cancel_order: "取消订单",
  change_order: "修改订单",
  inform: "提供信息",
  greet: "问候",
  goodbye: "告别",
  thank: "感谢",
  affirm: "肯定",
  deny: "否定",
  complain: "投诉",
  bot_challenge: "问是否机器人",
  out_of_scope: "超出范围",
  nlu_fallback: "未识别",
};

export const SLOTS = {
  product: "商品",
  colour: "颜色",
  size: "尺码",
  order_id: "订单号",
  region: "地区",
  carrier: "快递",
  height: "身高",
  weight: "体重",
  age: "年龄",
  foot_length: "脚长",
  pending_topic: "待办话题",
  offer: "优惠",
  misunderstood: "未听懂次数",
  handoff_reason: "转人工原因",
};

export const STAGES = { assigned: "已分配", offered_to_all: "全员可接", window_missed: "已超时" };

export const OUTCOMES = {
  handed_back: "已转回机器人",
  closed: "会话已结束",
  callback: "买家已留回电号码，已转回机器人",
};

export const ROLES = { agent: "客服", supervisor: "主管", trainer: "训练师" };

export const PRESENCE = { online: "在线", away: "离开", idle: "空闲超时", offline: "离线" };

export const MODES = { bot: "机器人接待中", waiting: "排队等待人工", human: "人工接待中", closed: "会话已结束" };

export const SENDERS = { buyer: "买家", bot: "智能客服", agent: "客服", system: "系统" };

export const reasonText = (reason) => REASONS[reason] || reason || "未知原因";
export const intentText = (intent) => INTENTS[intent] || intent || "";
export const slotText = (name) => SLOTS[name] || name;
export const sentimentLabel = (label) => SENTIMENTS[label] || label || "";

// --- the trainer's page (训练)

export const HANDOFF_EVENTS = {
  requested: "转人工",
  assigned: "已分配给客服",
  declined: "客服未接",
  requeued: "重新排队",
  offered_to_all: "全员可接",
  window_missed: "30 秒内无人接入",
  ticket: "已转为工单",
  accepted: "客服已接入",
  taken_over: "主管接管",
  handed_back: "已转回机器人",
  closed: "会话已结束",
  callback: "买家留了回电号码",
};

export const TICKET_REASONS = { no_agents: "没有在线客服", window_missed: "30 秒内无人接入" };

export const REQUEUE_REASONS = { restart: "服务重启后重新排队" };

export const RELABEL_WARNINGS = {
  duplicate: "已有相同样例",
  conflict: "与其他意图冲突",
  near_duplicate: "与已有样例很相似",
  thin_intent: "该意图样例偏少",
  new_intent: "这是一个新意图",
  no_rule: "新意图还没有对应的规则或故事",
};

export const REVIEW_FLAGS = {
  low_confidence: "低置信度",
  fallback: "未识别",
  negative: "负面情绪",
  handoff: "转人工",
};

export const READING_SOURCES = { rasa: "对话时识别", parse: "事后补识别" };

export const JOB_STATES = {
  queued: "排队中",
  validating: "校验数据",
  training: "训练中",
  evaluating: "评估中",
  ready: "已完成，待激活",
  failed: "失败",
  activated: "已激活",
};

export const eventText = (kind) => HANDOFF_EVENTS[kind] || kind || "事件";
export const warningText = (kind) => RELABEL_WARNINGS[kind] || kind || "提示";
