"""The scene-counts page's words (issue 25): key -> (Chinese, English)."""

from __future__ import annotations

SCENE_TEXT: dict[str, tuple[str, str]] = {
    "scene_title": ("药店与发热门诊统计", "Pharmacy and fever-clinic counts"),
    "scene_link": ("药店与发热门诊统计", "Pharmacy and fever-clinic counts"),
    "scene_hint": (
        "本账户可见卡口当日的购药登记（按药品类别）、发热门诊登记与医学观察，按地区统计，只有数量。",
        "The day's medicine purchases (by category), fever-clinic registrations and observation "
        "visits at this account's checkpoints, per area: counts only.",
    ),
    "scene_chart": ("各地区购药与就诊", "Purchases and clinic visits per area"),
    "scene_none": ("当日无购药或就诊登记", "No purchases or clinic visits that day"),
    "scene_purchases": ("购药登记", "Purchases"),
    "scene_watched": ("其中退烧止咳抗病毒", "Of fever, cough, antiviral"),
    "scene_fever": ("退烧药", "Fever medicine"),
    "scene_cough": ("止咳药", "Cough medicine"),
    "scene_antiviral": ("抗病毒药", "Antiviral"),
    "scene_other": ("其他药品", "Other medicine"),
    "scene_clinic_registrations": ("发热门诊登记", "Fever-clinic registrations"),
    "scene_observation_visits": ("医学观察", "Observation visits"),
    "scene_confirmed_or_suspected": ("确诊或疑似", "Confirmed or suspected"),
    "scene_total": ("合计", "Total"),
    "scene_back": ("返回报表", "Back to reports"),
}
