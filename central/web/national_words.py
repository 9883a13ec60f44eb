"""The words of issue 26's pages: the national list of risk areas and the accepted issuers.
Key -> (Chinese, English), merged into central/web/i18n.py's table."""

from __future__ import annotations

from collections.abc import Mapping

NATIONAL_TEXT: Mapping[str, tuple[str, str]] = {
    "nav_national_risk": ("全国风险地区", "National risk list"),
    "nr_title": ("全国风险地区名单", "National list of risk areas"),
    "nr_hint": (
        "国家发布的签名名单：省外地区的风险等级来自此名单；省内以本省设置为准。",
        "The signed list the nation publishes: the risk levels of areas outside the province "
        "come from it; inside the province the province's own settings win.",
    ),
    "nr_in_force": ("现行名单", "List in force"),
    "nr_none": ("尚未导入全国名单。", "No national list has been imported yet."),
    "nr_version": ("版本", "Version"),
    "nr_publisher": ("发布方密钥", "Publisher key"),
    "nr_signed_at": ("签发时间", "Signed"),
    "nr_imported_at": ("导入时间", "Imported"),
    "nr_source": ("来源", "Source"),
    "nr_areas": ("地区数", "Areas"),
    "nr_people": ("变色人数", "Colour changed"),
    "nr_people_pending": ("正在重新计算（已处理 {n} 人）", "Recomputing ({n} people so far)"),
    "nr_people_none": ("无地区等级变化", "No area's level changed"),
    "nr_imported_by": ("导入人", "Imported by"),
    "nr_by_server": ("服务器", "The server"),
    "nr_history": ("历史名单", "History"),
    "nr_upload_title": ("上传签名名单文件", "Upload a signed list file"),
    "nr_upload_hint": (
        "文件由国家名单发布方签名（COSE），以本服务固定的发布方公钥核验；版本须新于现行名单。",
        "A file signed by the list's publisher (COSE), checked against the publisher key "
        "this service pins; its version must be newer than the list in force.",
    ),
    "nr_file": ("名单文件", "List file"),
    "nr_upload": ("上传并导入", "Upload and import"),
    "nr_imported": (
        "已导入第 {seq} 版：{areas} 个地区，{changed} 个地区等级变化",
        "List {seq} imported: {areas} areas, {changed} with a changed level",
    ),
    "nr_err_file": ("请选择名单文件", "Choose a list file"),
    "nr_err_too_large": ("文件过大", "The file is too large"),
    "nr_err_not_signed": ("不是签名名单文件", "This is not a signed list file"),
    "nr_err_wrong_key": (
        "名单不是由固定的发布方密钥签名的",
        "The list is signed by another key than the pinned publisher key",
    ),
    "nr_err_bad_signature": ("签名校验失败，文件可能被改动", "The signature does not verify"),
    "nr_err_damaged": ("名单内容有误（地区代码或等级）", "The list is damaged (a code or level)"),
    "nr_err_not_newer": (
        "该版本不新于现行名单，未导入",
        "This version is not newer than the list in force: not imported",
    ),
    "nr_err_no_key": (
        "本服务未配置发布方公钥（CENTRAL_NATIONAL_RISK_KEY_FILE）",
        "This service has no publisher key (CENTRAL_NATIONAL_RISK_KEY_FILE)",
    ),
    "nr_poll_title": ("定时获取", "Polled URL"),
    "nr_poll_url": ("地址", "URL"),
    "nr_poll_off": (
        "未配置获取地址（CENTRAL_NATIONAL_RISK_URL）",
        "No URL set (CENTRAL_NATIONAL_RISK_URL)",
    ),
    "nr_poll_every": ("每 {n} 秒获取一次", "Fetched every {n} seconds"),
    "nr_poll_never": ("尚未获取过", "Not fetched yet"),
    "nr_poll_last": ("上次获取", "Last fetched"),
    "nr_poll_result": ("结果", "Result"),
    "nr_poll_imported": ("已导入第 {seq} 版", "List {seq} imported"),
    "nr_poll_unchanged": ("与现行名单相同（第 {seq} 版）", "The list in force (list {seq})"),
    "nr_poll_refused": ("名单被拒绝", "The list was refused"),
    "nr_poll_unreachable": ("无法获取（网络）", "Could not be fetched (network)"),
    # the accepted issuers
    "nav_issuers": ("互认地区", "Accepted issuers"),
    "is_title": ("外地健康码互认", "Other issuers' codes"),
    "is_hint": (
        "导入其他签发地区的信任列表后，各卡口可按设置接受这些地区签发的健康码。",
        "Once another issuer's trust list is imported, each checkpoint accepts that "
        "issuer's codes as set here.",
    ),
    "is_imports": ("已导入的信任列表", "Imported trust lists"),
    "is_issuer": ("签发地区", "Issuer"),
    "is_keys": ("签发密钥数", "Issuer keys"),
    "is_no_imports": ("尚未导入其他地区的信任列表。", "No other issuer's trust list is imported."),
    "is_import_how": (
        "导入由服务器管理员在服务器上执行（healthcode trust-list import）。",
        "The server's operator imports a list on the server (healthcode trust-list import).",
    ),
    "is_checkpoints": ("各卡口接受的签发地区", "What each checkpoint accepts"),
    "is_no_checkpoints": ("辖区内没有卡口。", "No checkpoint in your area."),
    "is_accepts": ("接受", "Accepts"),
    "is_all": ("信任列表中的全部签发地区", "Every issuer on the trust list"),
    "is_listed": ("仅以下地区", "Only these issuers"),
    "is_own": ("本地区", "our own"),
    "is_change": ("更改", "Change"),
    "is_saved": ("已保存，卡口下次同步时生效", "Saved: its kiosks take it at their next sync"),
    "is_err_none": ("请至少选择一个签发地区", "Choose at least one issuer"),
    "save": ("保存", "Save"),
}
