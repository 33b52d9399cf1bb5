"""Simulated buyers' messages: short, realistic shop conversations in simplified Chinese.

Each script is one buyer's conversation; follow-ups such as a bare colour or size rely on
the topic the previous message opened. Written for the benchmark, not taken from any data
set, and varied enough that a buyer's turns exercise NLU, the dialogue policy and the
action server.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import cycle, islice

BUYER_SCRIPTS: tuple[tuple[str, ...], ...] = (
    (
        "你好，在吗",
        "那条碎花连衣裙还有货没",
        "蓝色",
        "M码",
        "我身高160，体重98斤，穿哪个码合适",
        "包邮吗",
        "发到江苏要几天",
        "好的谢谢",
    ),
    (
        "亲，羊毛大衣黑色M码有吗",
        "那什么时候能补上",
        "驼色呢",
        "我168，115斤，选多大",
        "有没有优惠券可以用",
        "满多少能减",
        "收到不喜欢可以退吗",
        "谢谢啦",
    ),
    (
        "哈喽",
        "想买条牛仔裤，深蓝色S码还有吗",
        "浅蓝色",
        "L码",
        "这裤子版型偏小吗",
        "能走顺丰吗",
        "顺丰要加多少钱",
        "嗯嗯知道了，拜拜",
    ),
    (
        "小白鞋37码有现货不",
        "黑色",
        "我脚长23.5厘米，穿几码",
        "今天下单今天能发吗",
        "寄新疆要多少运费",
        "鞋子穿过一次还能退吗",
        "退货的运费谁出",
        "好的，感谢",
    ),
    (
        "在不在",
        "孩子6岁，身高118，儿童卫衣选哪个码",
        "儿童卫衣还有货吗",
        "黄色",
        "120码",
        "新客有优惠吗",
        "优惠券在哪里领",
        "谢谢客服",
    ),
    (
        "针织开衫还有灰色的吗",
        "S码",
        "开衫什么面料的",
        "怎么洗比较好",
        "多久能发货",
        "想换个码怎么操作",
        "满减活动还有吗",
        "行，谢谢你",
    ),
    (
        "您好",
        "马丁靴棕色38码还有吗",
        "39码呢",
        "马丁靴偏大还是偏小",
        "发什么快递",
        "上海几天能到",
        "不合适能换吗",
        "好的，再见",
    ),
    (
        "短款羽绒服有白色的吗",
        "L码",
        "我162，105斤，穿M还是L",
        "羽绒服有折扣吗",
        "寄到北京多久",
        "七天无理由吗",
        "明白了",
        "谢谢",
    ),
)


# Between two passes through a script the buyer starts a new conversation, as on a new
# visit: one conversation asking the same questions again would (rightly) be handed to a
# person as a repeated question, and the benchmark would measure handoffs, not answers.
NEW_CONVERSATION = None


def buyer_messages(buyer: int, count: int) -> list[str | None]:
    """Buyer number ``buyer``'s first ``count`` messages: its script, repeated as needed,
    with ``NEW_CONVERSATION`` before each repetition."""
    script = BUYER_SCRIPTS[buyer % len(BUYER_SCRIPTS)]
    turns: list[str | None] = []
    for n, text in enumerate(islice(cycle(script), count)):
        if n and n % len(script) == 0:
            turns.append(NEW_CONVERSATION)
        turns.append(text)
    return turns


def all_messages(scripts: Sequence[Sequence[str]] = BUYER_SCRIPTS) -> list[str]:
    """Every distinct message in ``scripts``, in order of first appearance."""
    return list(dict.fromkeys(text for script in scripts for text in script))
