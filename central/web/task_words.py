"""The words of the task pages (proxy and paper codes, fever cases, clinic events, area risk
levels, regions, the audit log), key -> (Chinese, English); merged into `i18n.TEXT`.

Every enum value a task page shows has a key here (`event_*`, `risk_*`, `fever_*`,
`action_*`, `object_*`, `id_type_*`, `level_*`), and so has every refusal the pages can meet
(`why_*`: the API's reason, translated); `why` maps the API's refusal details to them (also
for the refusal page of `central.web.render`, which the task pages' forms build on)."""

from __future__ import annotations

import re
from collections.abc import Mapping

# The industries the forms offer (codes as the API keeps them; `industry_*` words below). An
# industry code made elsewhere (the command line) is shown as it is.
INDUSTRIES = (
    "manufacturing",
    "construction",
    "retail",
    "catering",
    "logistics",
    "healthcare",
    "education",
    "agriculture",
    "energy",
    "mining",
    "services",
    "technology",
)

TASK_TEXT: Mapping[str, tuple[str, str]] = {
    # navigation
    "nav_proxy": ("代办赋码", "Proxy codes"),
    "nav_fever_cases": ("发热病例", "Fever cases"),
    "nav_clinic": ("诊疗事件", "Clinic events"),
    "nav_area_risks": ("风险等级", "Risk levels"),
    "nav_regions": ("行政区划", "Regions"),
    "nav_audit": ("审计日志", "Audit log"),
    "role_community_worker": ("社区工作人员", "Community worker"),
    # form errors, shown next to their field
    "err_required": ("请填写此项", "Please fill this in"),
    "err_choose": ("请选择一项", "Please choose one"),
    "err_full_name": ("姓名应为 1 至 50 个字", "A name of 1 to 50 characters"),
    "err_id_number": (
        "证件号码有误，请核对位数与校验位",
        "The ID number is not valid: check its digits",
    ),
    "err_id_number_other": ("证件号码应为 5 至 20 位字母或数字", "5 to 20 letters and digits"),
    "err_region": ("请选择地区", "Please choose a region"),
    "err_not_your_area": ("此地区不在您的辖区内", "This region is not in your area"),
    "err_file": ("请选择 CSV 或 XLSX 文件", "Please choose a CSV or XLSX file"),
    "err_file_unreadable": (
        "文件无法读取：请使用模板中的列名（姓名、证件号码、居住地）",
        "The file cannot be read: use the template's columns (name, ID number, residence)",
    ),
    "err_file_empty": ("文件中没有人员", "The file lists nobody"),
    "err_file_too_long": ("一次最多 500 人", "At most 500 people at a time"),
    "err_no_person": ("辖区内没有此证件号码的人员", "Nobody in your area has this ID number"),
    "err_generic": ("输入有误，请检查", "Please check this"),
    # refusals, with the API's reason
    "why_issuing_area": (
        "只能为本辖区居民代办或打印健康码",
        "Only for the residents of your own area",
    ),
    "why_region_admin_area": (
        "只有本辖区的区域管理员可以执行此操作",
        "Only a region administrator of this area may do this",
    ),
    "why_fever_role": ("您的角色不能处理发热病例", "Your role does not decide fever cases"),
    "why_fever_closed": (
        "该病例已处理或不存在",
        "This case was already decided, or does not exist",
    ),
    "why_fever_missing": ("辖区内没有此发热病例", "No such fever case in your area"),
    "why_event_conflict": (
        "此事件与该人员的现状不符",
        "This event does not fit the person's recorded state",
    ),
    "why_discharge": ("只有确诊病例才能登记治愈出院", "Only a confirmed case is discharged"),
    "why_followup": ("随访须在出院之后", "A follow-up follows a discharge"),
    "why_ruled_out": ("只有疑似病例才能排除", "Only a suspected case is ruled out"),
    "why_isolation_end": (
        "确诊病例须以出院结束隔离",
        "A confirmed case ends isolation by discharge",
    ),
    "why_not_stored": ("未能保存，请重试", "Could not be stored; try again"),
    "refused_title": ("未能完成", "Not done"),
    # the administration forms (accounts, enterprises, staff, fleet, exports)
    "err_username": ("用户名应为 3 至 64 个字符", "A user name of 3 to 64 characters"),
    "err_mobile": ("请填写 11 位手机号码", "Enter an 11-digit mobile number"),
    "err_industry": ("请选择行业", "Please choose an industry"),
    "err_name": ("名称应为 1 至 200 个字", "A name of 1 to 200 characters"),
    "err_address": ("请填写地址", "Please enter the address"),
    "err_day": ("请选择有效日期", "Please choose a valid day"),
    "err_day_order": ("结束日期不能早于开始日期", "The last day cannot come before the first"),
    "err_enterprise_needed": ("请选择企业", "Please choose the enterprise"),
    "err_community_level": (
        "社区工作人员的辖区应为街道（乡镇）或社区（村）",
        "A community worker serves a town or street, or a community or village",
    ),
    "why_username_taken": ("该用户名已被使用", "This user name is taken"),
    "why_mobile_taken": ("该手机号码已添加", "This mobile number is already added"),
    "why_creates_none": ("您的角色不能创建账户", "Your role creates no accounts"),
    "why_staff_only": (
        "企业管理员只能添加本企业的防疫人员",
        "An enterprise administrator adds epidemic staff only",
    ),
    "why_own_enterprise": (
        "防疫人员只能属于您自己的企业",
        "Epidemic staff belong to your own enterprise",
    ),
    "why_staff_by_enterprise": (
        "企业防疫人员由其企业管理员添加",
        "Epidemic staff are added by their enterprise's administrator",
    ),
    "why_enterprise_outside": ("该企业不在您的辖区内", "This enterprise is outside your area"),
    "why_area_outside": ("此地区不在您的辖区内", "This region is outside your area"),
    "why_next_level": (
        "只能为下一级辖区创建管理员",
        "You create administrators for the level just below yours only",
    ),
    "why_enterprise_creator": (
        "企业由区域管理员登记",
        "Enterprises are registered by a region administrator",
    ),
    "why_enterprise_missing": ("辖区内没有此企业", "No such enterprise in your area"),
    "why_gate_enterprise": (
        "企业门岗须选择所属企业",
        "An enterprise gate needs its enterprise",
    ),
    "why_checkpoint_area": (
        "只能在本辖区内登记卡口",
        "Checkpoints are registered in your own area only",
    ),
    "why_manage_checkpoints": (
        "您的角色不能管理此卡口",
        "Your role does not manage this checkpoint",
    ),
    "why_manage_kiosks": ("您的角色不能管理设备", "Your role does not manage kiosks"),
    "industry_choose": ("请选择行业", "Choose an industry"),
    "industry_manufacturing": ("制造业", "Manufacturing"),
    "industry_construction": ("建筑业", "Construction"),
    "industry_retail": ("批发零售", "Wholesale and retail"),
    "industry_catering": ("住宿餐饮", "Hotels and catering"),
    "industry_logistics": ("交通运输物流", "Transport and logistics"),
    "industry_healthcare": ("卫生医疗", "Health care"),
    "industry_education": ("教育", "Education"),
    "industry_agriculture": ("农林牧渔", "Agriculture"),
    "industry_energy": ("电力能源", "Energy"),
    "industry_mining": ("采矿业", "Mining"),
    "industry_services": ("居民服务", "Services"),
    "industry_technology": ("信息技术", "Information technology"),
    # proxy and paper codes
    "proxy_title": ("代办与纸质健康码", "Proxy and paper codes"),
    "proxy_one": ("为一位居民代办", "Declare for one resident"),
    "proxy_hint": (
        "为没有手机的居民申领健康码；申领后可打印纸质码。",
        "Apply for a code for a resident without a phone; print it on paper afterwards.",
    ),
    "full_name": ("姓名", "Full name"),
    "id_type": ("证件类型", "ID type"),
    "id_type_resident_id": ("居民身份证", "Resident ID card"),
    "id_type_passport": ("护照", "Passport"),
    "id_type_hk_macao_permit": ("港澳居民来往内地通行证", "Hong Kong/Macao permit"),
    "id_type_taiwan_permit": ("台湾居民来往大陆通行证", "Taiwan permit"),
    "id_number_label": ("证件号码", "ID number"),
    "residence": ("居住地", "Residence"),
    "workplace": ("工作单位（可不填）", "Workplace (optional)"),
    "issue_code": ("申领健康码", "Issue the code"),
    "code_issued": ("健康码已生成", "Code issued"),
    "valid_until": ("有效期至", "Valid until"),
    "colour_green": ("绿码", "Green"),
    "colour_yellow": ("黄码", "Yellow"),
    "colour_red": ("红码", "Red"),
    "proxy_batch": ("按名册批量代办", "From a roster file"),
    "proxy_batch_hint": (
        "上传 CSV 或 XLSX 名册，列名：姓名、证件号码、居住地（地区代码，可空）、证件类型（可空）；"
        "居住地为空的人员使用下面选择的地区。一次最多 500 人。",
        "Upload a CSV or XLSX roster with the columns full_name, id_number, residence (a "
        "region code, may be empty) and id_type (may be empty); people with no residence get "
        "the region chosen below. At most 500 at a time.",
    ),
    "roster_file": ("名册文件", "Roster file"),
    "choose_file": ("选择文件", "Choose a file"),
    "no_file": ("未选择文件", "No file chosen"),
    "default_residence": ("默认居住地", "Residence for empty rows"),
    "upload_roster": ("上传并代办", "Upload and issue"),
    "batch_results": ("批量代办结果", "Results"),
    "batch_summary": (
        "成功 {issued} 人，未成功 {refused} 人",
        "{issued} issued, {refused} refused",
    ),
    "row": ("行", "Row"),
    "result": ("结果", "Result"),
    "refused": ("未成功", "Refused"),
    "paper_title": ("打印纸质健康码", "Print paper codes"),
    "paper_hint": (
        "生成所选社区代办居民的纸质码（PDF，每页 6 个，有效 14 天）。",
        "The paper codes of the chosen community's proxy residents (PDF, six a page, 14 days).",
    ),
    "paper_area": ("社区", "Community"),
    "print_pdf": ("下载 PDF", "Download the PDF"),
    "my_proxy_codes": ("我代办的健康码", "Codes I issued"),
    "no_proxy_codes": ("还没有代办的健康码", "No proxy codes yet"),
    # fever cases
    "fever_title": ("发热病例", "Fever cases"),
    "fever_status": ("状态", "Status"),
    "fever_open": ("待处理", "Open"),
    "fever_confirmed": ("已确认", "Confirmed"),
    "fever_dismissed": ("已排除", "Dismissed"),
    "fever_closed": ("已关闭", "Closed"),
    "temperature": ("体温", "Temperature"),
    "reported_at": ("上报时间", "Reported"),
    "confirm_fever": ("确认发热", "Confirm"),
    "dismiss_fever": ("排除", "Dismiss"),
    "fever_confirm_hint": (
        "确认后持码人的健康码转为黄码；排除则不变。",
        "Confirming turns the holder's code yellow; dismissing changes nothing.",
    ),
    "fever_decided_confirm": ("已确认发热", "Fever confirmed"),
    "fever_decided_dismiss": ("已排除", "Dismissed"),
    "now_colour": ("持码人现为", "The holder is now"),
    "no_fever_cases": ("没有此状态的病例", "No cases with this status"),
    # clinic events
    "clinic_title": ("诊疗事件", "Clinic events"),
    "clinic_hint": (
        "登记诊所或医院对本辖区居民的诊疗结论，健康码随之更新。",
        "Record a clinic's finding about a resident of your area; the code follows.",
    ),
    "event": ("事件", "Event"),
    "record_event": ("登记", "Record"),
    "event_recorded": ("已登记，健康码现为", "Recorded; the code is now"),
    "event_confirmed": ("确诊", "Confirmed case"),
    "event_asymptomatic": ("无症状感染者", "Asymptomatic infection"),
    "event_suspected": ("疑似病例", "Suspected case"),
    "event_close_contact": ("密切接触者", "Close contact"),
    "event_discharged": ("治愈出院", "Discharged cured"),
    "event_followup_normal": ("出院随访正常", "Follow-up normal"),
    "event_ruled_out": ("排除疑似", "Suspicion ruled out"),
    "event_isolation_end": ("解除隔离", "Isolation ended"),
    "event_medicine_purchase": ("购买退热止咳药", "Fever or cough medicine bought"),
    "event_fever_clinic": ("发热门诊就诊", "Fever clinic visit"),
    # area risk levels
    "risks_title": ("地区风险等级", "Area risk levels"),
    "risk_level": ("风险等级", "Risk level"),
    "risk_low": ("低风险", "Low risk"),
    "risk_medium": ("中风险", "Medium risk"),
    "risk_high": ("高风险", "High risk"),
    "set_risk": ("设定风险等级", "Set a risk level"),
    "preview_risk": ("预览影响", "Preview"),
    "save_risk": ("确认保存", "Save"),
    "lift_risk": ("解除（降为低风险）", "Lift (set to low)"),
    "risk_preview_title": ("保存前预览", "Before saving"),
    "risk_preview_count": (
        "保存后将有 {changed} 人的健康码变色（共核算 {total} 人）",
        "{changed} people will change colour once saved ({total} assessed)",
    ),
    "risk_preview_none": ("保存后没有人的健康码会变色", "Nobody's colour changes once saved"),
    "risk_saved": ("已保存，正在重新核算健康码", "Saved: the codes are being recomputed"),
    "current_levels": ("当前风险等级", "Current levels"),
    "no_risks": ("辖区内尚未设定风险等级（均为低风险）", "No levels set: all low risk"),
    "changed_at": ("设定时间", "Set at"),
    "recompute_jobs": ("重新核算进度", "Recomputation progress"),
    "job_pending": ("排队中", "Queued"),
    "job_running": ("核算中", "Running"),
    "job_done": ("已完成", "Done"),
    "job_failed": ("失败", "Failed"),
    "processed": ("已核算", "Assessed"),
    "changed_people": ("变色人数", "Changed"),
    "jobs_refreshing": ("核算进行中，页面将自动刷新。", "Running: this page reloads itself."),
    "no_jobs": ("暂无核算任务", "No recomputations yet"),
    # regions
    "regions_title": ("行政区划", "Regions"),
    "level": ("级别", "Level"),
    "level_1": ("省级", "Province"),
    "level_2": ("地级", "Prefecture"),
    "level_3": ("县级", "County"),
    "level_4": ("乡级", "Township"),
    "level_5": ("村级", "Village"),
    "level_6": ("组级", "Group"),
    "sub_regions": ("下级地区", "Regions below"),
    "code": ("代码", "Code"),
    "no_sub_regions": ("没有下级地区", "No regions below"),
    "regions_load_hint": (
        "区划文件由省级管理员在本页导入，或由服务器管理员在服务器上用命令行导入。",
        "The province's administrator loads region files on this page (or the server's "
        "administrator with `central regions load`).",
    ),
    # audit log
    "audit_title": ("审计日志", "Audit log"),
    "audit_who": ("操作人", "Who"),
    "audit_what": ("操作", "What"),
    "audit_object": ("对象", "Object"),
    "audit_from": ("开始日期", "From"),
    "audit_to": ("结束日期", "To"),
    "audit_filter": ("筛选", "Filter"),
    "audit_time": ("时间", "When"),
    "audit_rows": ("条数", "Rows"),
    "audit_route": ("途径", "Route"),
    "audit_older": ("更早的记录", "Older entries"),
    "audit_newest": ("回到最新", "Newest"),
    "audit_none": ("没有符合条件的记录", "No entries match"),
    "anyone": ("所有人", "Anyone"),
    "action_read": ("查看", "Read"),
    "action_list": ("列表查询", "List"),
    "action_export": ("导出", "Export"),
    "action_change": ("更改", "Change"),
    "object_account": ("账户", "Accounts"),
    "object_alert": ("告警", "Alerts"),
    "object_area_risk": ("风险等级", "Risk levels"),
    "object_audit_entry": ("审计日志", "Audit entries"),
    "object_checkpoint": ("卡口", "Checkpoints"),
    "object_employee": ("员工", "Employees"),
    "object_enterprise": ("企业", "Enterprises"),
    "object_export": ("导出任务", "Exports"),
    "object_export_file": ("导出文件", "Export files"),
    "object_fever_case": ("发热病例", "Fever cases"),
    "object_kiosk": ("设备", "Kiosks"),
    "object_passage": ("通行记录", "Passages"),
    "object_person": ("赋码人员", "People"),
    "object_proxy_code": ("代办健康码", "Proxy codes"),
    "object_paper_code": ("纸质健康码", "Paper codes"),
    "object_recompute_job": ("核算任务", "Recomputations"),
    "object_region": ("行政区划", "Regions"),
    "object_usage": ("使用统计", "Usage statistics"),
    # one person, one code (issue 27): a community worker's in-person phone reset
    "phone_reset_title": ("更换手机号（本人到场）", "New phone (in person)"),
    "phone_reset_hint": (
        "居民换了手机、收不到原手机验证码时：核验本人及身份证件后，登记新手机号。"
        "原手机上的健康码随即失效，居民用新手机重新申报。此操作记入审计日志。",
        "For a resident who changed phones and cannot receive the old phone's code: after "
        "checking the person and their ID card, record the new number. The code on the old "
        "phone stops working; the resident declares again from the new one. Audited.",
    ),
    "new_phone": ("新手机号", "New phone number"),
    "reset_phone": ("登记新手机号", "Record the new phone"),
    "phone_reset_done": (
        "已登记新手机号，请居民用新手机重新申报。",
        "The new phone is recorded: the resident declares again from it.",
    ),
    "why_not_on_record": (
        "该证件号码尚未申领健康码，请直接代办申领",
        "No code was issued for this ID: issue a proxy code instead",
    ),
}


# ------------------------------------------------------------ the API's details, in words
# The API's refusal details (English, for programs) -> the words a person reads.
WHY = {
    "no code was issued for this ID": "why_not_on_record",
    "only a region administrator or community worker of this area": "why_issuing_area",
    "only a region administrator of this area": "why_region_admin_area",
    "your role does not decide fever cases": "why_fever_role",
    "no open fever case with this id": "why_fever_closed",
    "no such fever case in your area": "why_fever_missing",
    "no such person in your area": "err_no_person",
    "only a confirmed case is discharged cured": "why_discharge",
    "a follow-up follows a discharge": "why_followup",
    "only a suspected case is ruled out": "why_ruled_out",
    "a confirmed case ends isolation by discharge": "why_isolation_end",
    "could not be stored; try again": "why_not_stored",
    # the administration forms: accounts, enterprises, staff, checkpoints, kiosks, exports
    "an enterprise administrator adds epidemic staff only": "why_staff_only",
    "epidemic staff are added by their 11-digit mobile number": "err_mobile",
    "epidemic staff belong to the creator's own enterprise": "why_own_enterprise",
    "epidemic staff are added by their enterprise's administrator": "why_staff_by_enterprise",
    "an enterprise administrator needs its enterprise": "err_enterprise_needed",
    "the enterprise lies outside the creator's area": "why_enterprise_outside",
    "the new account's area lies outside the creator's area": "why_area_outside",
    "region administrators create the administrators of the level just below theirs": (
        "why_next_level"
    ),
    "an industry department names its industry (lower-case code)": "err_industry",
    "enterprises are registered by a region administrator": "why_enterprise_creator",
    "the enterprise's region lies outside the creator's area": "why_area_outside",
    "an industry is a lower-case code such as manufacturing": "err_industry",
    "an enterprise gate names its enterprise": "why_gate_enterprise",
    "no such enterprise in your area": "why_enterprise_missing",
    "you may register checkpoints in your own area only": "why_checkpoint_area",
    "your role does not manage checkpoints": "why_manage_checkpoints",
    "your role does not manage kiosks": "why_manage_kiosks",
    "the last day comes before the first": "err_day_order",
    "the end must come after the start": "err_day_order",
    # issue 25: a grid worker (liaison) is created with its mobile number
    "a grid worker's tip-offs come by SMS: its 11-digit mobile number": "why_liaison_phone",
}
# Details that name a value (a user name, a region code): matched by their shape.
WHY_SHAPES = (
    (re.compile(r"^the user name .+ is taken$"), "why_username_taken"),
    (re.compile(r"^an? \w+ account creates no accounts$"), "why_creates_none"),
    (re.compile(r"^an? \w+ account needs an area"), "err_region"),
    (re.compile(r"^a community worker's area is a town"), "err_community_level"),
    (re.compile(r"^no enterprise \S+$"), "why_enterprise_missing"),
    (re.compile(r"^area \d+ lies outside region \d+$"), "err_region"),
    (re.compile(r"^(region code|issuer) "), "err_region"),
    (re.compile(r"^not a valid resident ID number"), "err_id_number"),
    (re.compile(r"^the reason \w+ does not fit a \w+$"), "fever_err_reason_fit"),
    (re.compile(r"^week .+: (write it as|\d+ has no week)"), "err_week"),
)
# A refusal that is a clash with what exists, answered 409 on a page.
CONFLICTS = frozenset({"why_username_taken"})
# A declaration's field at fault (`DeclarationError.field`, a validation error's location).
FIELD_WORDS = {
    "full_name": "err_full_name",
    "id_number": "err_id_number",
    "residence": "err_region",
    "area_code": "err_region",
    "region_code": "err_region",
    "username": "err_username",
    "mobile": "err_mobile",
    "phone": "err_mobile",
    "industry": "err_industry",
    "name": "err_name",
    "address": "err_address",
    "first_day": "err_day",
    "last_day": "err_day",
}
# Fields answered with "choose one" when left empty (a list to choose from, not a text).
CHOSEN = frozenset(
    {"event", "level", "id_type", "role", "checkpoint_type", "kind", "format", "colour", "industry"}
)


def why(detail: str) -> str:
    """The `why_*`/`err_*` key of an API refusal's detail (`people[3]: ...` and `field: ...`
    prefixes looked through); the generic words when the detail is not one the pages know."""
    text = detail
    while True:
        if text in WHY:
            return WHY[text]
        for shape, key in WHY_SHAPES:
            if shape.match(text):
                return key
        head, sep, rest = text.partition(": ")
        if not sep:
            break
        if head in FIELD_WORDS:
            return FIELD_WORDS[head]
        text = rest
    return "err_generic"
