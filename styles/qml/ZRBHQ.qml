<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
    <rules key="{root}">
      <rule key="{rule-0}" filter="&quot;data_status&quot; = '演示'" label="自然保护区（演示数据）" symbol="0" />
      <rule key="{rule-1}" filter="ELSE" label="自然保护区" symbol="1" />
    </rules>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="226,240,217,45" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="30,107,48,255" type="QString" />
            <Option name="outline_style" value="dash" type="QString" />
            <Option name="outline_width" value="0.4" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="30,107,48,255" type="QString" />
            <Option name="style" value="dense6" type="QString" />
            <Option name="outline_style" value="no" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="226,240,217,89" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="30,107,48,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.4" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="30,107,48,255" type="QString" />
            <Option name="style" value="dense6" type="QString" />
            <Option name="outline_style" value="no" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="&quot;name&quot;" isExpression="1" fontFamily="Noto Sans CJK SC" fontSize="8" fontSizeUnit="Point" textColor="0,0,0,255" textOpacity="1" namedStyle="Regular" multilineAlign="3" />
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" />
      <placement placement="1" dist="0" priority="5" />
      <rendering obstacle="1" displayAll="0" upsidedownLabels="0" scaleVisibility="0" scaleMin="0" scaleMax="2000000" minFeatureSize="3" />
    </settings>
  </labeling>
  <fieldConfiguration>
    <field name="name" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="region" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="data_status" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geometry_status" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geometry_source" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="source_date" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geom_area_km2" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
  </fieldConfiguration>
  <aliases>
    <alias field="name" index="0" name="名称" />
    <alias field="region" index="1" name="所在区域" />
    <alias field="data_status" index="2" name="数据状态" />
    <alias field="geometry_status" index="3" name="图形状态" />
    <alias field="geometry_source" index="4" name="图形来源" />
    <alias field="source_date" index="5" name="数据日期" />
    <alias field="geom_area_km2" index="6" name="椭球面积（km²）" />
  </aliases>
  <layerGeometryType>2</layerGeometryType>
</qgis>
