"""The words of issue 25's pages: the tip-offs and the enterprise's roster with its staff's
state today. Key -> (Chinese, English), merged into central/web/i18n.py's table."""

from __future__ import annotations

from collections.abc import Mapping

TIP_OFF_TEXT: Mapping[str, tuple[str, str]] = {
    # the resident's page
    "r_nav_tip_off": ("举报", "Report"),
    "t_title": ("疫情线索举报", "Report to the epidemic team"),
    "t_hint": (
        "举报后将自动派发给所在辖区的网格员（联络员）核查处理。",
        "Your report goes straight to the grid worker of the area, who will check it.",
    ),
    "t_kind_clue": ("疫情线索提供", "A possible case"),
    "t_kind_supervision": ("群众监督举报", "A breach of the rules"),
    "t_clue_name": ("姓名", "Name of the person"),
    "t_area": ("所在地", "Area"),
    "t_place": ("详细地点", "Exact place"),
    "t_situation": ("身体状况", "Health situation"),
    "t_situation_travel": (
        "两周内有本地病例持续传播地区的居住或旅行史",
        "Lived in or travelled to an area with local spread in the last two weeks",
    ),
    "t_situation_contact": (
        "两周内与疑似病人、确诊病例、密接或无症状感染者有无有效防护的接触",
        "Unprotected contact with a suspected, confirmed or close-contact case in two weeks",
    ),
    "t_situation_symptoms": (
        "出现发热、干咳、乏力、咽痛、气促等症状",
        "Fever, dry cough, fatigue, sore throat, short breath or similar",
    ),
    "t_situation_none": ("没有上述情况", "None of the above"),
    "t_report_type": ("上报类型", "Type of report"),
    "t_type_movement": ("可疑人员流动", "Suspicious movement of people"),
    "t_type_gathering": ("群众聚集活动", "A gathering"),
    "t_type_price_gouging": ("哄抬物价", "Price gouging"),
    "t_type_counterfeit": ("制假售假", "Fake or counterfeit goods"),
    "t_type_reopening": ("违规复工复产复课", "Reopening against the rules"),
    "t_type_other": ("其他", "Other"),
    "t_description": ("情况描述", "What happened"),
    "t_submit": ("提交举报", "Send the report"),
    "t_sent": ("举报已提交", "Report sent"),
    "t_sent_hint": (
        "举报编号如下，网格员将尽快上门核查。",
        "Your report's number is below; a grid worker will check it soon.",
    ),
    "t_number": ("举报编号", "Report number"),
    "t_another": ("再次举报", "Send another report"),
    "t_err_area_code": ("请选择所在地（选到社区或村）", "Choose the area"),
    "t_err_place": ("请填写详细地点（最多200字）", "The exact place, up to 200 characters"),
    "t_err_clue_name": ("请填写姓名（最多50字）", "The person's name, up to 50 characters"),
    "t_err_situation": ("请选择一种身体状况", "Choose one situation"),
    "t_err_report_type": ("请选择上报类型", "Choose a type"),
    "t_err_description": (
        "请描述情况（最多1000字）",
        "Describe what happened, up to 1000 characters",
    ),
    "t_err_feedback": ("请填写核查情况（最多1000字）", "Your feedback, up to 1000 characters"),
    "t_err_status": ("该举报已被处理，请刷新", "Already handled: reload the page"),
    "t_err_rate_limited": ("提交太频繁，请一分钟后再试", "Too many reports: wait a minute"),
    # the staff page
    "nav_tip_offs": ("举报处理", "Tip-offs"),
    "role_grid_worker": ("网格员（联络员）", "Grid worker (liaison)"),
    "liaison_phone": ("联络员手机号（网格员必填）", "Liaison's mobile (grid workers)"),
    "why_liaison_phone": (
        "网格员需填写手机号，用于接收举报短信",
        "A grid worker needs a mobile number for the tip-off SMS",
    ),
    "t_staff_title": ("举报处理", "Tip-offs"),
    "t_overview": ("辖区举报概况", "Tip-offs in the area"),
    "t_status": ("状态", "Status"),
    "t_status_all": ("全部", "All"),
    "t_status_received": ("待核查", "Received"),
    "t_status_visited": ("已上门", "Visited"),
    "t_status_closed": ("已办结", "Closed"),
    "t_overdue": ("超时未核查", "Overdue"),
    "t_col_number": ("编号", "No."),
    "t_unassigned": ("无联络员", "No liaison"),
    "t_overdue_alert": (
        "有举报超过规定时间仍未上门核查",
        "Some tip-offs were not visited in time",
    ),
    "t_kind": ("类别", "Kind"),
    "t_received_at": ("举报时间", "Received"),
    "t_liaison": ("联络员", "Liaison"),
    "t_sms": ("短信", "SMS"),
    "t_sms_sent": ("已发送", "sent"),
    "t_sms_failed": ("发送失败", "not sent"),
    "t_sms_pending": ("发送中", "sending"),
    "t_sms_retrying": ("发送失败，将自动重发", "not sent, to be resent"),
    "t_sms_resent": ("已重发 {n} 次", "resent {n} times"),
    "t_sms_next": ("下次", "next at"),
    "t_sms_gave_up": ("多次重发仍未送达", "not sent after every resend"),
    "t_sms_gave_up_alert": (
        "举报短信多次重发仍未送达联络员，请电话通知",
        "Tip-offs whose SMS never reached the liaison after every resend: call them",
    ),
    "t_feedback": ("核查反馈", "Feedback"),
    "t_mark_visited": ("已上门核查", "Mark visited"),
    "t_mark_closed": ("办结", "Close"),
    "t_no_tip_offs": ("暂无举报", "No tip-offs"),
    "t_total": ("合计", "Total"),
    "t_progress_saved": ("已保存处理进度", "Progress saved"),
    # the enterprise's roster with today's state (central/administration/staff_state.py)
    "s_colour": ("健康码", "Code"),
    "s_no_code": ("未申领", "No code"),
    "s_checked_in": ("今日打卡", "Checked in"),
    "s_passed": ("今日通行", "At the gate"),
    "s_export": ("导出花名册（含今日状态）", "Export the roster with today's state"),
    "s_declare_title": ("单位机构申报", "Declare for an employee"),
    "s_declare_hint": (
        "由单位为员工申报健康码；员工可在“我的健康码”用身份证号和手机号找回。",
        "The enterprise declares for an employee; they find the code under My code by ID "
        "number and phone.",
    ),
    "s_declare": ("申报", "Declare"),
    "s_declared": ("已申报", "Declared"),
    "s_roster_title": ("按花名册申报", "Declare from a roster file"),
    "s_roster_hint": (
        "上传 CSV 或 XLSX 花名册，列：姓名、证件号码、手机号、居住地（区划代码），可选部门、体温。"
        "有任何一行错误时不申报任何人，请按提示改正文件后重新上传。",
        "Upload a CSV or XLSX roster with the columns full_name, id_number, phone, residence "
        "(a region code), optionally department and temperature (the Chinese column names "
        "work too). If any line is wrong nobody is declared: correct the file and upload it "
        "again.",
    ),
    "s_roster_upload": ("上传并申报", "Upload and declare"),
    "s_roster_wrong": (
        "文件中有 {n} 行有误，未申报任何人：",
        "Nobody was declared. Lines of the file to correct: {n}",
    ),
    "s_state_hint": (
        "员工健康码颜色、今日健康打卡及今日在本单位卡口的通行情况。",
        "Each employee's code colour, today's check-in and today's passage at the gates.",
    ),
}
