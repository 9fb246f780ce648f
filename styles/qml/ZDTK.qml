<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
    <rules key="{root}">
      <rule key="{rule-0}" filter="&quot;geometry_status&quot; = '示意'" label="重点勘查区（示意）" symbol="0" />
      <rule key="{rule-1}" filter="ELSE" label="重点勘查区" symbol="1" />
    </rules>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="189,215,238,45" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="31,78,154,255" type="QString" />
            <Option name="outline_style" value="dash" type="QString" />
            <Option name="outline_width" value="0.6" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="31,78,154,255" type="QString" />
            <Option name="style" value="f_diagonal" type="QString" />
            <Option name="outline_style" value="no" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="189,215,238,89" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="31,78,154,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.6" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="31,78,154,255" type="QString" />
            <Option name="style" value="f_diagonal" type="QString" />
            <Option name="outline_style" value="no" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="&quot;name&quot; || if(&quot;geometry_status&quot; = '示意', '（示意）', '')" isExpression="1" fontFamily="Noto Sans CJK SC" fontSize="8" fontSizeUnit="Point" textColor="0,0,0,255" textOpacity="1" namedStyle="Regular" multilineAlign="3" />
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" />
      <placement placement="1" dist="0" priority="5" />
      <rendering obstacle="1" displayAll="0" upsidedownLabels="0" scaleVisibility="0" scaleMin="0" scaleMax="2000000" minFeatureSize="3" />
    </settings>
  </labeling>
  <fieldConfiguration>
    <field name="zone_id" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="name" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="layer_name" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="region" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="plan" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="mineral" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="block_count" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="area_km2" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="area_text" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="area_unit" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geom_area_km2" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="admin_area" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="county" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="level" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="stage" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="note" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="quality" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="extra" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="seq" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="name_text" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="source_table" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="table_title" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="source_file" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="source_line" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geometry_status" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geometry_source" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geometry_note" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
  </fieldConfiguration>
  <aliases>
    <alias field="zone_id" index="0" name="编号" />
    <alias field="name" index="1" name="名称" />
    <alias field="layer_name" index="2" name="图层" />
    <alias field="region" index="3" name="规划" />
    <alias field="plan" index="4" name="规划名称" />
    <alias field="mineral" index="5" name="矿种" />
    <alias field="block_count" index="6" name="区块数" />
    <alias field="area_km2" index="7" name="规划面积（km²）" />
    <alias field="area_text" index="8" name="面积（原文）" />
    <alias field="area_unit" index="9" name="面积原文单位" />
    <alias field="geom_area_km2" index="10" name="图形椭球面积（km²）" />
    <alias field="admin_area" index="11" name="行政范围" />
    <alias field="county" index="12" name="所在县市" />
    <alias field="level" index="13" name="级别" />
    <alias field="stage" index="14" name="阶段/方式" />
    <alias field="note" index="15" name="备注" />
    <alias field="quality" index="16" name="数据质量说明" />
    <alias field="extra" index="17" name="其他原文栏目" />
    <alias field="seq" index="18" name="序号（原文）" />
    <alias field="name_text" index="19" name="名称（原文）" />
    <alias field="source_table" index="20" name="来源专栏" />
    <alias field="table_title" index="21" name="专栏标题" />
    <alias field="source_file" index="22" name="来源文件" />
    <alias field="source_line" index="23" name="来源行号" />
    <alias field="geometry_status" index="24" name="图形状态" />
    <alias field="geometry_source" index="25" name="图形来源" />
    <alias field="geometry_note" index="26" name="图形说明" />
  </aliases>
  <layerGeometryType>2</layerGeometryType>
</qgis>
