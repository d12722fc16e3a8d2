"""The checklists of SPEC.md ("Inspections") as plain data, loaded by a data migration.
Each item: (text, hint, condition) where condition is "", "canteen", "dormitory" or "shuttle_bus"."""

ACCEPTANCE = ("复工现场验收检查表", [
    ("疫情防控实施方案", "方案内容完整，含通勤和应急预案", ""),
    ("返岗员工花名册", "一人一档，来源地、健康状况清楚", ""),
    ("防控承诺书", "企业主要负责人签字盖章", ""),
    ("门口健康检查点", "设置测温点，专人值守", ""),
    ("防控物资储备", "口罩等物资满足返岗人员 7 天以上用量", ""),
    ("人员车辆出入登记", "进出人员、车辆登记及体温记录", ""),
    ("消毒记录", "公共区域每日消毒并记录", ""),
    ("防护用品佩戴", "员工在岗佩戴口罩等防护用品", ""),
    ("废弃口罩回收", "设置专用回收桶并定期处理", ""),
    ("防控宣传", "张贴防控知识宣传材料", ""),
    ("其他防控要求", "观察室、食堂、宿舍等其他要求落实情况", ""),
])

POST_RESUMPTION = ("复工后检查表", [
    ("现场与报备方案一致", "", ""),
    ("场所消毒落实", "", ""),
    ("防控物资不少于 7 天用量", "", ""),
    ("隔离观察室设置", "单人单间，配防护服、护目镜、医药箱", ""),
    ("返岗人员符合分类管控要求", "重点地区人员未返岗，市外人员隔离期满", ""),
    ("一人一档建立", "", ""),
    ("封闭管理：只留一个出入口，24 小时值守", "", ""),
    ("每日两次体温检测", "", ""),
    ("岗位防护措施", "", ""),
    ("物流车辆管理", "外来车辆登记、消毒", ""),
    ("食堂：错峰就餐、间隔 1 米以上、每餐消毒", "", "canteen"),
    ("通勤班车：测温登记、备用口罩", "", "shuttle_bus"),
    ("宿舍：每间不超过 4 人、出入登记", "", "dormitory"),
])

CANTEEN = ("食堂检查表", [
    ("错峰就餐", "分批次、分时段就餐", "canteen"),
    ("就餐间隔 1 米以上", "单向就座或设置隔板", "canteen"),
    ("每餐消毒", "餐具、桌椅每餐消毒", "canteen"),
    ("从业人员健康", "厨房人员每日测温、持健康证", "canteen"),
])

DORMITORY = ("宿舍检查表", [
    ("每间不超过 4 人", "", "dormitory"),
    ("出入登记", "外来人员不得进入", "dormitory"),
    ("通风消毒", "每日通风、公共区域消毒", "dormitory"),
])

SHUTTLE_BUS = ("通勤班车检查表", [
    ("乘车测温登记", "", "shuttle_bus"),
    ("备用口罩", "", "shuttle_bus"),
    ("每趟消毒", "", "shuttle_bus"),
    ("乘客固定、座位分散", "", "shuttle_bus"),
])

# The patrol checklist (日常巡查表), seeded by its own migration (0005): what a patrol looks at on
# each visit, from the seeds' patrol findings (gate checkpoint unattended, visitors not logged,
# dormitories over four to a room …).
PATROL = ("日常巡查表", [
    ("未经批准未擅自开工", "未获复工批准的企业不得生产经营", ""),
    ("门口测温点有人值守", "进出人员逐一测温登记", ""),
    ("外来人员、车辆登记", "外来人员、车辆登记并测温", ""),
    ("员工在岗佩戴口罩", "", ""),
    ("公共区域消毒并记录", "", ""),
    ("防控物资储备充足", "口罩等物资不少于 7 天用量", ""),
    ("废弃口罩专用回收", "", ""),
    ("食堂错峰就餐、间隔 1 米以上", "", "canteen"),
    ("宿舍每间不超过 4 人、出入登记", "", "dormitory"),
])

TEMPLATES = {"acceptance": ACCEPTANCE, "post_resumption": POST_RESUMPTION, "canteen": CANTEEN, "dormitory": DORMITORY,
             "shuttle_bus": SHUTTLE_BUS}
