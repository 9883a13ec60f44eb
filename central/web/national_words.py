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
}
